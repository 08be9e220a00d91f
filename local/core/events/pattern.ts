/**
 * EventBridge event patterns, matched as EventBridge documents them: exact
 * values, `prefix`, `suffix`, `equals-ignore-case`, `wildcard`, `anything-but`
 * (a value, a list, or a prefix, suffix, equals-ignore-case or wildcard),
 * `numeric`, `exists` and `$or`, on nested fields and on arrays (any element
 * matches; the fields of an object in an array are matched in the same element).
 *
 * No npm package implements them with upkeep (checked 2026-11: the few that
 * exist are unmaintained single-author copies), so this is the documented
 * subset. What a pattern uses beyond it (`cidr`, operators added later) is
 * reported by {@link compilePattern} and never matches.
 */

type Leaf = string | number | boolean | null;
type Condition = (leaves: readonly Leaf[]) => boolean;

/** The operators this matcher implements, for the start-up notes. */
export const SUPPORTED_OPERATORS = [
  'exact value',
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  '$or',
] as const;

/** A pattern ready to match events. */
export interface CompiledPattern {
  /** True when `event` (with `detail` as an object) matches the pattern. */
  matches(event: unknown): boolean;
  /** Operators the pattern uses that are not implemented: conditions using them never match. */
  readonly unsupported: readonly string[];
  /** What is wrong with the pattern, as EventBridge would refuse it; such a pattern never matches. */
  readonly problems: readonly string[];
}

interface ObjectPattern {
  readonly fields: readonly (readonly [string, ObjectPattern | Condition])[];
  readonly or: readonly ObjectPattern[];
}

interface Compiling {
  readonly unsupported: Set<string>;
  readonly problems: string[];
}

/** Compiles an event pattern (the parsed JSON of a rule's EventPattern). */
export function compilePattern(pattern: unknown): CompiledPattern {
  const c: Compiling = { unsupported: new Set(), problems: [] };
  const root = isObject(pattern) ? compileObject(pattern, '', c) : undefined;
  if (!root) c.problems.push('The pattern must be a JSON object.');
  else if (!root.fields.length && !root.or.length && !c.problems.length) c.problems.push('The pattern is empty.');
  const ok = root !== undefined && c.problems.length === 0;
  return {
    matches: (event) => ok && matchObject(root, event),
    unsupported: [...c.unsupported].sort(),
    problems: c.problems,
  };
}

function compileObject(pattern: Record<string, unknown>, path: string, c: Compiling): ObjectPattern {
  const fields: [string, ObjectPattern | Condition][] = [];
  const or: ObjectPattern[] = [];
  for (const [key, value] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key === '$or' && Array.isArray(value)) {
      if (value.length < 2 || !value.every(isObject)) {
        c.problems.push(`${at}: $or takes an array of at least 2 objects.`);
        continue;
      }
      // Several $or at one level would need their product; one is what rules use.
      or.push(...value.map((branch) => compileObject(branch as Record<string, unknown>, path, c)));
    } else if (Array.isArray(value)) {
      fields.push([key, compileConditions(value, at, c)]);
    } else if (isObject(value)) {
      fields.push([key, compileObject(value, at, c)]);
    } else {
      c.problems.push(`${at}: a pattern value must be an array of conditions or an object.`);
    }
  }
  return { fields, or };
}

/** A leaf's conditions: it matches when any of them does. */
function compileConditions(values: readonly unknown[], at: string, c: Compiling): Condition {
  if (!values.length) c.problems.push(`${at}: an empty array matches nothing.`);
  const conditions = values.map((v) => compileCondition(v, at, c));
  return (leaves) => conditions.some((condition) => condition(leaves));
}

function compileCondition(value: unknown, at: string, c: Compiling): Condition {
  if (!isObject(value)) {
    const exact = value as Leaf;
    return (leaves) => leaves.some((leaf) => leaf === exact);
  }
  const entries = Object.entries(value);
  const [operator, operand] = entries[0] ?? ['', undefined];
  if (entries.length !== 1) {
    c.problems.push(`${at}: a condition object has exactly one operator.`);
    return () => false;
  }
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') c.problems.push(`${at}: exists takes true or false.`);
      return (leaves) => leaves.length > 0 === operand;
    case 'numeric':
      return numericCondition(operand, at, c);
    case 'anything-but': {
      const inner = anythingBut(operand, at, c);
      return (leaves) => leaves.some((leaf) => !inner(leaf));
    }
    default: {
      const test = stringTest(operator, operand, at, c);
      return (leaves) => leaves.some(test);
    }
  }
}

/** The string operators, on one leaf; undefined operators are reported and never match. */
function stringTest(operator: string, operand: unknown, at: string, c: Compiling): (leaf: Leaf) => boolean {
  const ignoreCase = isObject(operand) && typeof operand['equals-ignore-case'] === 'string';
  const text = ignoreCase ? String((operand as Record<string, unknown>)['equals-ignore-case']) : operand;
  const fold = (s: string) => (ignoreCase ? s.toLowerCase() : s);
  if ((operator === 'prefix' || operator === 'suffix') && typeof text === 'string') {
    const want = fold(text);
    return operator === 'prefix'
      ? (leaf) => typeof leaf === 'string' && fold(leaf).startsWith(want)
      : (leaf) => typeof leaf === 'string' && fold(leaf).endsWith(want);
  }
  if (operator === 'equals-ignore-case' && typeof operand === 'string') {
    const want = operand.toLowerCase();
    return (leaf) => typeof leaf === 'string' && leaf.toLowerCase() === want;
  }
  if (operator === 'wildcard' && typeof operand === 'string') {
    const re = wildcardRegExp(operand);
    return (leaf) => typeof leaf === 'string' && re.test(leaf);
  }
  if (['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(operator)) {
    c.problems.push(`${at}: ${operator} takes a string.`);
  } else {
    c.unsupported.add(operator);
  }
  return () => false;
}

/** What `anything-but` excludes, as a test of one leaf. */
function anythingBut(operand: unknown, at: string, c: Compiling): (leaf: Leaf) => boolean {
  if (Array.isArray(operand)) return (leaf) => operand.includes(leaf);
  if (!isObject(operand)) return (leaf) => leaf === operand;
  const [operator, inner] = Object.entries(operand)[0] ?? ['', undefined];
  // A list of strings for equals-ignore-case and wildcard: excluded when any of them matches.
  const list = Array.isArray(inner) ? inner : [inner];
  const tests = list.map((one) => stringTest(operator, one, `${at} anything-but`, c));
  return (leaf) => tests.some((test) => test(leaf));
}

const NUMERIC_OPERATORS: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numericCondition(operand: unknown, at: string, c: Compiling): Condition {
  const checks: ((n: number) => boolean)[] = [];
  const list = Array.isArray(operand) ? operand : [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const compare = NUMERIC_OPERATORS[String(list[i])];
    const bound = list[i + 1];
    if (!compare || typeof bound !== 'number') break;
    checks.push((n) => compare(n, bound));
  }
  if (!checks.length || checks.length * 2 !== list.length) {
    c.problems.push(`${at}: numeric takes operator and number pairs, such as [">", 0, "<=", 5].`);
    return () => false;
  }
  return (leaves) => leaves.some((leaf) => typeof leaf === 'number' && checks.every((check) => check(leaf)));
}

/** `*` matches any characters; `\*` is a star and `\\` a backslash. */
function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      source += `\\${pattern[++i]}`;
    } else {
      source += ch === '*' ? '.*' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

/** Matches an object pattern against a node: every field, and one branch of its `$or` if it has one. */
function matchObject(pattern: ObjectPattern, node: unknown): boolean {
  const fields = isObject(node) ? node : undefined;
  for (const [key, sub] of pattern.fields) {
    const value = fields && Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (typeof sub === 'function') {
      if (!sub(leavesOf(value))) return false;
    } else if (Array.isArray(value)) {
      // Fields of an object in an array match within one element.
      if (!value.some((element) => matchObject(sub, element))) return false;
    } else if (!matchObject(sub, value)) {
      return false;
    }
  }
  return pattern.or.length === 0 || pattern.or.some((branch) => matchObject(branch, node));
}

/** The leaf values of a field: itself, or the leaves of an array; none for a missing field or an object. */
function leavesOf(value: unknown): Leaf[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  return isObject(value) ? [] : [value as Leaf];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
