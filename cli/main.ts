import { parseArgs } from 'node:util';
import { dlqList, dlqPurge, dlqRedrive } from './commands/dlq.js';
import { status } from './commands/status.js';
import { submit } from './commands/submit.js';
import { watch } from './commands/watch.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { type CliIo, processIo } from './io.js';
import { resolveTarget } from './targets/resolve.js';
import type { Target, TargetKind } from './targets/target.js';

/** `qw --help`. */
export const HELP = `qw: operate queue-workers jobs and queues.

Usage:
  qw submit <type> --payload JSON|@file [--wait [--timeout S]] [--idempotency-key K]
  qw status <jobId> [--wait [--timeout S]]
  qw watch [--once] [--interval S]          queues: visible, in flight, delayed, DLQ, oldest, jobs/s
  qw dlq list <type> [--max N]              dead letters with failure reason and attempt (left in place)
  qw dlq redrive <type> [--max-per-second N] send them back; their jobs go back to queued
  qw dlq purge <type> [--yes]               delete them (asks first)

Target (default: the local runtime, when \`npm start\` is running):
  --target local|emulator|aws
  --endpoint URL        an emulator (implies --target emulator; default http://127.0.0.1:4566)
  --region R, --profile P   AWS (implies --target aws)
  --stack NAME          the stack on an emulator or AWS (default QueueWorkers)
  --api-key KEY         for a stack deployed with -c auth=apiKey (or QW_API_KEY)
  --state-file FILE     the local runtime's state file (default .qw/local.json; or QW_STATE_FILE)

Output:
  --json                one JSON document per result, for scripts
  -h, --help

Exit codes:
  0 ok   1 unexpected error   2 usage   3 no target (no local runtime, no stack, endpoint down)
  4 no permission   5 unknown job or job type   6 job failed (--wait)   7 refused by the API or SQS
  8 aborted at the prompt   9 --wait timed out
`;

const OPTIONS = {
  payload: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  'idempotency-key': { type: 'string' },
  once: { type: 'boolean' },
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

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

const TARGET_FLAGS = ['json', 'target', 'endpoint', 'region', 'profile', 'stack', 'api-key', 'state-file', 'help'];
const COMMAND_FLAGS: Readonly<Record<string, readonly string[]>> = {
  submit: ['payload', 'wait', 'timeout', 'idempotency-key'],
  status: ['wait', 'timeout'],
  watch: ['once', 'interval'],
  'dlq list': ['max'],
  'dlq redrive': ['max-per-second'],
  'dlq purge': ['yes'],
};

const usage = (message: string) => new CliError(EXIT.USAGE, message, 'See qw --help.');

function positiveNumber(values: Values, name: 'timeout' | 'interval' | 'max' | 'max-per-second', fallback: number) {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw usage(`--${name} must be a positive number, not "${raw}".`);
  return n;
}

function parse(argv: readonly string[]): { command: string; args: string[]; values: Values } {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw usage((error as Error).message);
  }
  const [first, ...rest] = parsed.positionals;
  const command = first === 'dlq' && rest[0] ? `dlq ${rest.shift()}` : (first ?? '');
  return { command, args: rest, values: parsed.values };
}

async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const { command, args, values } = parse(argv);
  if (values.help || command === '' || command === 'help') {
    io.stdout.write(HELP);
    return command === '' && !values.help ? EXIT.USAGE : EXIT.OK;
  }
  const allowed = COMMAND_FLAGS[command];
  if (!allowed) throw usage(`Unknown command "${command}".`);
  for (const flag of Object.keys(values)) {
    if (!allowed.includes(flag) && !TARGET_FLAGS.includes(flag)) throw usage(`${command} takes no --${flag}.`);
  }
  const arg = (name: string) => {
    if (args.length !== 1 || !args[0]) throw usage(`${command} takes one argument: <${name}>.`);
    return args[0];
  };
  const json = values.json === true;
  const timeoutSeconds = positiveNumber(values, 'timeout', 300);
  // Validate what needs no target before looking for one.
  const prepared = (() => {
    switch (command) {
      case 'submit': {
        const type = arg('type');
        if (values.payload === undefined) throw usage('submit needs --payload JSON or --payload @file.');
        return { type, payload: values.payload };
      }
      case 'status':
        return { jobId: arg('jobId') };
      case 'watch':
        if (args.length) throw usage('watch takes no arguments.');
        return {};
      default:
        return { type: arg('type') };
    }
  })();
  const kind = values.target;
  if (kind !== undefined && kind !== 'local' && kind !== 'emulator' && kind !== 'aws') {
    throw usage(`--target must be local, emulator or aws, not "${kind}".`);
  }
  const target: Target = await resolveTarget({
    cwd: io.cwd,
    env: io.env,
    ...(kind ? { target: kind as TargetKind } : {}),
    ...(values.endpoint ? { endpoint: values.endpoint } : {}),
    ...(values.region ? { region: values.region } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values.stack ? { stack: values.stack } : {}),
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
    ...(values['state-file'] ? { stateFile: values['state-file'] } : {}),
  });
  try {
    switch (command) {
      case 'submit': {
        const p = prepared as { type: string; payload: string };
        return await submit(target, io, {
          ...p,
          wait: values.wait === true,
          timeoutSeconds,
          json,
          ...(values['idempotency-key'] ? { idempotencyKey: values['idempotency-key'] } : {}),
        });
      }
      case 'status':
        return await status(target, io, {
          jobId: (prepared as { jobId: string }).jobId,
          wait: values.wait === true,
          timeoutSeconds,
          json,
        });
      case 'watch':
        return await watch(target, io, {
          once: values.once === true,
          intervalSeconds: positiveNumber(values, 'interval', 2),
          json,
        });
      case 'dlq list':
        return await dlqList(target, io, {
          type: (prepared as { type: string }).type,
          max: positiveNumber(values, 'max', 100),
          json,
        });
      case 'dlq redrive': {
        const maxPerSecond = values['max-per-second'] ? positiveNumber(values, 'max-per-second', 1) : undefined;
        if (maxPerSecond !== undefined && (!Number.isInteger(maxPerSecond) || maxPerSecond > 500)) {
          throw usage('--max-per-second must be a whole number from 1 to 500 (SQS move task limit).');
        }
        return await dlqRedrive(target, io, {
          type: (prepared as { type: string }).type,
          json,
          ...(maxPerSecond ? { maxPerSecond } : {}),
        });
      }
      default:
        return await dlqPurge(target, io, {
          type: (prepared as { type: string }).type,
          yes: values.yes === true,
          json,
        });
    }
  } finally {
    target.close();
  }
}

/**
 * Runs `qw` with `argv` (without `node qw`) and returns its exit code. Errors
 * become one message on stderr (a JSON `{ error }` with --json) and the exit
 * code of {@link EXIT} that names them.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  try {
    return await run(argv, io);
  } catch (error) {
    const e =
      error instanceof CliError
        ? error
        : new CliError(EXIT.ERROR, (error as Error)?.message ?? String(error), undefined, { cause: error });
    if (argv.includes('--json')) {
      io.stderr.write(`${JSON.stringify({ error: { exitCode: e.exitCode, message: e.message, hint: e.hint } })}\n`);
    } else {
      io.stderr.write(`qw: ${e.message}\n${e.hint ? `    ${e.hint}\n` : ''}`);
    }
    return e.exitCode;
  }
}
