/**
 * Function log lines made readable for a terminal, as `sst dev` or
 * `pino-pretty` do: a structured JSON record (Powertools for AWS Lambda, pino,
 * or any `{ level, message }` object) becomes time, level, message, chosen
 * fields, then the other fields compactly, with an error's stack under it; an
 * Embedded Metric Format record becomes one line of metrics; Lambda's own text
 * lines (`START`, `REPORT`, `Task timed out` ...) keep their text. Anything
 * else, malformed JSON included, is printed as it came. Nothing here knows the
 * app: the fields to put first are an option.
 */
import { emfSummary, isEmf } from './log-emf.js';

/** How the runtime prints what functions log: readable, or the raw lines for tools. */
export type LogFormat = 'pretty' | 'json';

/** Options of {@link formatLogLine}. */
export interface PrettyOptions {
  /** ANSI colours, for a terminal. */
  readonly colour: boolean;
  /** Fields shown first after the message, in this order (an app's correlation ids, such as `jobId`). @default none */
  readonly leadingFields?: readonly string[];
  /** Show times in UTC rather than this machine's zone. @default false */
  readonly utc?: boolean;
}

/** One log line laid out around the function's name: `<head>[Name] <body>`, then `more` indented under it. */
export interface PrettyLine {
  /** Time and level, before the function's name; empty when the line has neither. */
  readonly head: string;
  /** The message and fields. */
  readonly body: string;
  /** Lines under it: an error's stack and causes. */
  readonly more: readonly string[];
}

/**
 * Fields Powertools' logger adds to every record: the Lambda context and the
 * sampling settings. The line's prefix names the function already; `--log-format
 * json` shows them all.
 */
const CONTEXT_FIELDS = new Set([
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

/** pino's numeric levels. */
const NUMERIC_LEVELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

const LEVEL_COLOURS: Readonly<Record<string, number>> = {
  TRACE: 90,
  DEBUG: 90,
  INFO: 32,
  WARN: 33,
  WARNING: 33,
  ERROR: 31,
  CRITICAL: 31,
  FATAL: 31,
  METRIC: 36,
};

/** Longest value of one field shown; the rest is counted, not printed. */
const MAX_VALUE_CHARS = 300;

/** Styles text when colours are on. */
export type Paint = (code: number, text: string) => string;

const painter =
  (colour: boolean): Paint =>
  (code, text) =>
    colour && text ? `\x1b[${code}m${text}\x1b[0m` : text;

/**
 * The readable form of one line a function wrote, or undefined when it is to be
 * printed as it came (plain text, JSON that is not a log record, malformed JSON).
 */
export function formatLogLine(line: string, options: PrettyOptions): PrettyLine | undefined {
  const paint = painter(options.colour);
  const runtimeLine = lambdaRuntimeLine(line, options, paint);
  if (runtimeLine) return runtimeLine;
  const record = parseRecord(line);
  if (!record) return undefined;
  if (isEmf(record)) {
    const summary = emfSummary(record, (value) => formatValue(value, paint));
    return { head: head(summary.time, 'METRIC', options, paint), body: summary.text, more: [] };
  }
  const message = record.message ?? record.msg;
  const level = levelOf(record.level);
  if (typeof message !== 'string' && level === undefined) return undefined;
  const { fields, more } = describeFields(record, options, paint);
  const text = typeof message === 'string' ? message : message === undefined ? '' : formatValue(message, paint);
  const body = [text, ...fields].filter(Boolean).join(' ');
  return { head: head(record.timestamp ?? record.time, level, options, paint), body, more };
}

/** The line as a JSON object, when it is one. */
function parseRecord(line: string): Record<string, unknown> | undefined {
  const text = line.trim();
  if (!text.startsWith('{') || !text.endsWith('}')) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `INFO`, `WARN`... from a record's level, named or numeric. */
function levelOf(level: unknown): string | undefined {
  if (typeof level === 'string' && level) return level.toUpperCase();
  if (typeof level === 'number') return NUMERIC_LEVELS[level] ?? String(level);
  return undefined;
}

function head(time: unknown, level: string | undefined, options: PrettyOptions, paint: Paint): string {
  const clock = clockOf(time, options.utc ?? false);
  const parts = [clock ? paint(2, clock) : '', level ? paint(LEVEL_COLOURS[level] ?? 0, level.padEnd(6)) : ''].filter(
    Boolean,
  );
  return parts.length ? `${parts.join(' ')} ` : '';
}

/** `14:03:07.123` from an ISO timestamp or epoch milliseconds; undefined when it is neither. */
export function clockOf(time: unknown, utc: boolean): string | undefined {
  if (typeof time !== 'string' && typeof time !== 'number') return undefined;
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) return undefined;
  const [h, m, s, ms] = utc
    ? [date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds(), date.getUTCMilliseconds()]
    : [date.getHours(), date.getMinutes(), date.getSeconds(), date.getMilliseconds()];
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}.${String(ms).padStart(3, '0')}`;
}

/** The record's fields as `key=value`, the leading ones first, and the lines its errors add under it. */
function describeFields(
  record: Record<string, unknown>,
  options: PrettyOptions,
  paint: Paint,
): { fields: string[]; more: string[] } {
  const shown = new Set(['level', 'message', 'msg', 'timestamp', 'time', ...CONTEXT_FIELDS]);
  const leading = (options.leadingFields ?? []).filter((k) => k in record && !shown.has(k));
  const rest = Object.keys(record).filter((k) => !shown.has(k) && !leading.includes(k));
  const fields: string[] = [];
  const more: string[] = [];
  for (const key of [...leading, ...rest]) {
    const value = record[key];
    const stack = errorLines(value);
    if (stack) {
      fields.push(`${paint(2, `${key}=`)}${paint(31, errorHeadline(value as ErrorLike))}`);
      more.push(...stack.map((l) => paint(2, l)));
    } else {
      fields.push(`${paint(2, `${key}=`)}${formatValue(value, paint)}`);
    }
  }
  return { fields, more };
}

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly stack?: unknown;
  readonly cause?: unknown;
}

const isErrorLike = (value: unknown): value is ErrorLike =>
  !!value && typeof value === 'object' && typeof (value as ErrorLike).stack === 'string';

function errorHeadline(error: ErrorLike): string {
  const name = typeof error.name === 'string' ? error.name : 'Error';
  return typeof error.message === 'string' ? `${name}: ${error.message}` : name;
}

/** An error's stack frames and its causes', as Powertools and pino serialise errors; undefined for anything else. */
function errorLines(value: unknown, depth = 0): string[] | undefined {
  if (!isErrorLike(value) || depth > 3) return undefined;
  const [first = '', ...frames] = (value.stack as string).split('\n');
  // The stack's first line repeats the headline at the top level; a cause needs it.
  const lines = depth === 0 ? frames : [`Caused by: ${first}`, ...frames];
  const cause = errorLines(value.cause, depth + 1);
  return [...lines.map((l) => `  ${l.trim()}`), ...(cause ?? [])];
}

/** A field's value, compactly: bare when it reads unambiguously, JSON otherwise, cut at {@link MAX_VALUE_CHARS}. */
export function formatValue(value: unknown, paint: Paint): string {
  let text: string;
  if (typeof value === 'string') text = /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  // Durations come as 500.78824299999997: three decimals are plenty to read.
  else if (typeof value === 'number' && !Number.isInteger(value)) text = String(Number(value.toFixed(3)));
  else if (value === undefined) text = 'undefined';
  else text = JSON.stringify(value) ?? String(value);
  if (text.length <= MAX_VALUE_CHARS) return text;
  return `${text.slice(0, MAX_VALUE_CHARS)}${paint(2, `…(+${text.length - MAX_VALUE_CHARS} chars)`)}`;
}

/**
 * Lambda's own lines: the runtime's START, END, REPORT and INIT_* lines, and a
 * timeout, kept as written; errors in red, the rest dimmed. A console line in
 * Lambda's text format (`time<TAB>requestId<TAB>LEVEL<TAB>message`) gets the
 * time and level columns.
 */
function lambdaRuntimeLine(line: string, options: PrettyOptions, paint: Paint): PrettyLine | undefined {
  if (/^(START|END|REPORT|INIT_START|EXTENSION|TELEMETRY) /.test(line)) {
    return { head: '', body: paint(2, line), more: [] };
  }
  if (/^INIT_REPORT |Task timed out after /.test(line)) return { head: '', body: paint(31, line), more: [] };
  const text = /^(\d{4}-\d\d-\d\dT\S+)\t\S+\t(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)\t(.*)$/.exec(line);
  if (!text) return undefined;
  const [, time, level = 'INFO', message = ''] = text;
  return { head: head(time, level, options, paint), body: message, more: [] };
}
