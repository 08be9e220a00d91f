/**
 * The syntax of EventBridge Scheduler's cron expressions, checked by hand so
 * that `cdk synth` refuses one Scheduler would refuse at deploy. The Lambda
 * bundles import the registry, so this file takes no cron library with it; the
 * local runtime computes firings with croner, and a unit test holds the two in
 * agreement.
 */

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** One field of the six: its name, its range, and the names that stand for its values. */
interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** A whole-field form beyond numbers and ranges (`L`, `15W`, `6#3`), accepted as is. */
  readonly special?: RegExp;
}

const FIELDS: readonly Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^(L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/ },
  { name: 'year', min: 1970, max: 2199 },
];

/**
 * What is wrong with `cron` (the text inside `cron(...)`), or undefined when
 * EventBridge Scheduler accepts it: six fields, values in range, `?` in exactly
 * one of day-of-month and day-of-week.
 */
export function cronProblem(cron: string): string | undefined {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 6) {
    return `it has ${parts.length} fields; use six: minutes hours day-of-month month day-of-week year (e.g. "0 3 * * ? *").`;
  }
  for (const [i, field] of FIELDS.entries()) {
    const problem = fieldProblem(parts[i] ?? '', field);
    if (problem) return problem;
  }
  const [dayOfMonth, dayOfWeek] = [parts[2], parts[4]];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'set "?" in exactly one of day-of-month and day-of-week (e.g. "0 3 * * ? *" or "0 3 ? * MON *").';
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  const bad = `${field.name} "${text}" is not valid; use values ${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names.at(-1)}` : ''}, *, ranges, lists and /steps.`;
  if (text === '?') return field.name.startsWith('day-') ? undefined : `${field.name} cannot be "?".`;
  if (field.special?.test(text.toUpperCase())) return undefined;
  for (const item of text.split(',')) {
    const [range = '', step, extra] = item.split('/');
    if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step)) || step === '0') return bad;
    if (range === '*') continue;
    const [from, to, more] = range.split('-');
    if (more !== undefined) return bad;
    const low = fieldValue(from ?? '', field);
    const high = to === undefined ? low : fieldValue(to, field);
    if (low === undefined || high === undefined || low > high) return bad;
  }
  return undefined;
}

function fieldValue(text: string, field: Field): number | undefined {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= field.min && n <= field.max ? n : undefined;
}
