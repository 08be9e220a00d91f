import { parseArgs } from 'node:util';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { TARGET_KINDS, type TargetFlags, type TargetKind } from './targets/target.js';

const OPTIONS = {
  payload: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  'idempotency-key': { type: 'string' },
  once: { type: 'boolean' },
  follow: { type: 'boolean', short: 'f' },
  interval: { type: 'string' },
  max: { type: 'string' },
  'max-per-second': { type: 'string' },
  yes: { type: 'boolean', short: 'y' },
  json: { type: 'boolean' },
  target: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  stack: { type: 'string' },
  'api-key': { type: 'string' },
  'state-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flag = keyof typeof OPTIONS;
type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** A command `qw` can run, with every argument read and checked. */
export type Command =
  | {
      readonly name: 'submit';
      readonly type: string;
      /** JSON text, or `@file` (`@-` for stdin); read when the command runs. */
      readonly payload: string;
      readonly wait: boolean;
      readonly timeoutSeconds: number;
      readonly idempotencyKey?: string;
    }
  | { readonly name: 'status'; readonly jobId: string; readonly wait: boolean; readonly timeoutSeconds: number }
  | { readonly name: 'cancel'; readonly jobId: string }
  | { readonly name: 'watch'; readonly once: boolean; readonly intervalSeconds: number }
  | { readonly name: 'events'; readonly follow: boolean; readonly max: number }
  | { readonly name: 'dlq list'; readonly type: string; readonly max: number }
  | { readonly name: 'dlq redrive'; readonly type: string; readonly maxPerSecond?: number }
  | { readonly name: 'dlq purge'; readonly type: string; readonly yes: boolean }
  | { readonly name: 'schedules' };

/** What a command line asks for: the help text (with its exit code), or a command on a target. */
export type Invocation =
  | { readonly kind: 'help'; readonly exitCode: ExitCode }
  | { readonly kind: 'run'; readonly command: Command; readonly json: boolean; readonly target: TargetFlags };

/** Flags every command takes. */
const COMMON_FLAGS: readonly Flag[] = [
  'json',
  'target',
  'endpoint',
  'region',
  'profile',
  'stack',
  'api-key',
  'state-file',
  'help',
];

/** Flags of each command, besides {@link COMMON_FLAGS}; its keys are the commands `qw` knows. */
const COMMAND_FLAGS = {
  submit: ['payload', 'wait', 'timeout', 'idempotency-key'],
  status: ['wait', 'timeout'],
  cancel: [],
  watch: ['once', 'interval'],
  events: ['follow', 'max'],
  'dlq list': ['max'],
  'dlq redrive': ['max-per-second'],
  'dlq purge': ['yes'],
  schedules: [],
} as const satisfies Record<Command['name'], readonly Flag[]>;

/** SQS's limit on a message move task's MaxNumberOfMessagesPerSecond. */
const MAX_MOVE_RATE = 500;

const usage = (message: string) => new CliError(EXIT.USAGE, message, 'See qw --help.');

function isCommandName(name: string): name is Command['name'] {
  return Object.hasOwn(COMMAND_FLAGS, name);
}

function isTargetKind(kind: string): kind is TargetKind {
  return (TARGET_KINDS as readonly string[]).includes(kind);
}

function positiveNumber(values: Values, name: 'timeout' | 'interval' | 'max' | 'max-per-second', fallback: number) {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw usage(`--${name} must be a positive number, not "${raw}".`);
  return n;
}

/** `--max-per-second`: a whole number SQS accepts, or `undefined` when not given. */
function moveRate(values: Values): number | undefined {
  if (!values['max-per-second']) return undefined;
  const rate = positiveNumber(values, 'max-per-second', 1);
  if (!Number.isInteger(rate) || rate > MAX_MOVE_RATE) {
    throw usage(`--max-per-second must be a whole number from 1 to ${MAX_MOVE_RATE} (SQS move task limit).`);
  }
  return rate;
}

/** The command `name` with its positional arguments and flags checked. */
function commandOf(name: Command['name'], args: readonly string[], values: Values): Command {
  const arg = (what: string) => {
    if (args.length !== 1 || !args[0]) throw usage(`${name} takes one argument: <${what}>.`);
    return args[0];
  };
  const timeoutSeconds = positiveNumber(values, 'timeout', 300);
  switch (name) {
    case 'submit': {
      const type = arg('type');
      if (values.payload === undefined) throw usage('submit needs --payload JSON or --payload @file.');
      const key = values['idempotency-key'];
      return {
        name,
        type,
        payload: values.payload,
        wait: values.wait === true,
        timeoutSeconds,
        ...(key ? { idempotencyKey: key } : {}),
      };
    }
    case 'status':
      return { name, jobId: arg('jobId'), wait: values.wait === true, timeoutSeconds };
    case 'cancel':
      return { name, jobId: arg('jobId') };
    case 'watch':
      if (args.length) throw usage('watch takes no arguments.');
      return { name, once: values.once === true, intervalSeconds: positiveNumber(values, 'interval', 2) };
    case 'events':
      if (args.length) throw usage('events takes no arguments.');
      return {
        name,
        follow: values.follow === true,
        max: Math.min(500, Math.floor(positiveNumber(values, 'max', 20))),
      };
    case 'dlq list':
      return { name, type: arg('type'), max: positiveNumber(values, 'max', 100) };
    case 'dlq redrive': {
      const type = arg('type');
      const maxPerSecond = moveRate(values);
      return { name, type, ...(maxPerSecond ? { maxPerSecond } : {}) };
    }
    case 'dlq purge':
      return { name, type: arg('type'), yes: values.yes === true };
    case 'schedules':
      if (args.length) throw usage('schedules takes no arguments.');
      return { name };
  }
}

/** The flags that choose the target; `--target` must name a kind `qw` knows. */
function targetFlagsOf(values: Values): TargetFlags {
  const kind = values.target;
  if (kind !== undefined && !isTargetKind(kind)) {
    throw usage(`--target must be ${TARGET_KINDS.slice(0, -1).join(', ')} or ${TARGET_KINDS.at(-1)}, not "${kind}".`);
  }
  return {
    ...(kind ? { target: kind } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values.stack ? { stack: values.stack } : {}),
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    ...(values['state-file'] ? { stateFile: values['state-file'] } : {}),
  };
}

/**
 * Reads `qw`'s command line (without `node qw`) into what to do, checking
 * everything that needs no target first. Throws a USAGE {@link CliError}
 * that says what is wrong.
 */
export function parseInvocation(argv: readonly string[]): Invocation {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const { values } = parsed;
  const [first, ...args] = parsed.positionals;
  // `dlq` takes a subcommand: `dlq list` is the command, what follows its arguments.
  const name = first === 'dlq' && args[0] ? `dlq ${args.shift()}` : (first ?? '');
  if (values.help || name === '' || name === 'help') {
    return { kind: 'help', exitCode: name === '' && !values.help ? EXIT.USAGE : EXIT.OK };
  }
  if (!isCommandName(name)) throw usage(`Unknown command "${name}".`);
  const allowed: readonly Flag[] = [...COMMAND_FLAGS[name], ...COMMON_FLAGS];
  for (const flag of Object.keys(values) as Flag[]) {
    if (!allowed.includes(flag)) throw usage(`${name} takes no --${flag}.`);
  }
  const command = commandOf(name, args, values);
  return { kind: 'run', command, json: values.json === true, target: targetFlagsOf(values) };
}
