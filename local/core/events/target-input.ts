/**
 * What a rule's target receives, as EventBridge builds it: the event, the
 * target's constant `Input`, the part of the event its `InputPath` names, or
 * its `InputTransformer`'s template filled in from the event.
 */
import type { TargetInputDef } from '../plan.js';

/** The rule a target belongs to, for the transformer's reserved variables. */
export interface RuleRef {
  readonly name: string;
  readonly arn: string;
}

/** The text a target receives for `event` (JSON, except for a transformer's text template). */
export function targetInput(input: TargetInputDef, event: Record<string, unknown>, rule: RuleRef, now: Date): string {
  switch (input.kind) {
    case 'event':
      return JSON.stringify(event);
    case 'constant':
      return input.json;
    case 'path':
      return JSON.stringify(valueAtPath(event, input.path) ?? null);
    case 'transformer':
      return renderTemplate(input.template, transformerValues(input.pathsMap, event, rule, now));
  }
}

/**
 * The value at a JSONPath of the simple kind rules use (`$.detail.jobId`,
 * `$.resources[0]`); `undefined` where nothing is.
 */
export function valueAtPath(root: unknown, path: string): unknown {
  const steps = path
    .replace(/^\$\.?/, '')
    .split(/\.|\[(\d+)\]/)
    .filter((s) => s !== undefined && s !== '');
  let node: unknown = root;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

function transformerValues(
  pathsMap: Readonly<Record<string, string>>,
  event: Record<string, unknown>,
  rule: RuleRef,
  now: Date,
): Map<string, unknown> {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(pathsMap)) values.set(name, valueAtPath(event, path));
  // EventBridge's reserved variables; ingestion-time cannot be overridden.
  const reserved: [string, unknown][] = [
    ['aws.events.rule-name', rule.name],
    ['aws.events.rule-arn', rule.arn],
    ['aws.events.event', event],
    ['aws.events.event.json', event],
  ];
  for (const [name, value] of reserved) if (!values.has(name)) values.set(name, value);
  values.set('aws.events.event.ingestion-time', now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  return values;
}

// A whole string literal, or a placeholder outside one: which of the two decides how a value is written.
const STRING_OR_PLACEHOLDER = /"(?:\\.|[^"\\])*"|<([^<>\s"]+)>/g;
const PLACEHOLDER = /<([^<>\s"]+)>/g;

/**
 * Fills `<name>` placeholders as EventBridge does: in a JSON value position a
 * value is written as JSON (a string quoted, a missing value as null); inside a
 * string literal, a string is written as is and other values as their JSON
 * without quotes, so the string stays valid.
 */
export function renderTemplate(template: string, values: ReadonlyMap<string, unknown>): string {
  const fill = (inJson: boolean) => (placeholder: string, name: string) => {
    if (!values.has(name)) return placeholder;
    const value = values.get(name);
    if (value === undefined) return '';
    if (typeof value !== 'string') return JSON.stringify(value).replace(/"/g, '');
    return inJson ? JSON.stringify(value).slice(1, -1) : value;
  };
  // A template without quotes is text (an SQS body, say): every placeholder is written as text.
  if (!template.includes('"')) return template.replace(PLACEHOLDER, fill(false));
  return template.replace(STRING_OR_PLACEHOLDER, (token: string, name: string | undefined) => {
    if (name === undefined) return token.replace(PLACEHOLDER, fill(true));
    if (!values.has(name)) return token;
    return JSON.stringify(values.get(name) ?? null);
  });
}
