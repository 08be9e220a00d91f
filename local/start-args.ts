import { parseArgs } from 'node:util';
import { ENV } from '../lambda/shared/config.js';
import { type FaultPlan, parseFaultPlan } from './core/faults/fault-plan.js';
import type { LogFormat } from './core/log-format.js';
import type { LocalOptions } from './start-local.js';

/** `npm start -- --help`. */
export const HELP = `Usage: npm start -- [options]

Runs the CDK app locally: REST API, queues, workers and job table, with no AWS account.

Options:
  --port <n>        Port of the API (env PORT; default 3000)
  --host <addr>     Address to bind (env HOST; default 127.0.0.1)
  --persist         Keep queues, messages and jobs in .qw/ across restarts (env QW_PERSIST=1)
  --state-dir <dir> Where --persist keeps them, and where qw's state file goes (default .qw)
  --no-watch        Do not reload functions when bin/, lib/ or lambda/ change
  --stack <name>    Stack to run when the app has several
  --app <command>   Another CDK app command (with --out)
  --out <dir>       Cloud assembly directory (default cdk.out)
  --synth <mode>    auto (default), always or never
  --log-format <f>  How function logs print: pretty (readable; the default on a terminal) or
                    json (each line as the function wrote it; the default when piped)
  -h, --help        Show this help

Environment:
  QW_CONCURRENCY=<n>  Execution environments per function (default: one per core, at least 2)
  QW_FAULTS=<list>    Break things on purpose, to test job types: a share (0-1) of calls or batches, e.g.
                      dynamodb=0.05,sqs=0.05,crash=0.01,hang=0.01,seed=7; submit=0.1 ends the API's
                      environment between queueing and recording a submission (see docs/local-runtime.md)
`;

/** Where `qw` looks for the running runtime, in the state directory. */
const STATE_FILE = 'local.json';

/** What `npm start` was asked to do. */
export type StartCommand =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'start';
      readonly options: LocalOptions;
      /** `--log-format`; without it, pretty on a terminal and json otherwise. */
      readonly logFormat?: LogFormat;
    }
  | { readonly kind: 'usage-error'; readonly message: string };

/**
 * Reads `npm start`'s arguments and its environment (PORT, HOST, QW_PERSIST,
 * QW_CONCURRENCY) into the runtime's options: the one place they are read.
 * An argument wins over the environment.
 */
export function parseStartArgs(argv: readonly string[], env: NodeJS.ProcessEnv): StartCommand {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    return { kind: 'usage-error', message: `${(error as Error).message}\n\n${HELP}` };
  }
  if (values.help) return { kind: 'help' };
  const portText = values.port ?? env.PORT;
  const port = portText === undefined ? 3000 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    return { kind: 'usage-error', message: `Port "${portText}" is not a port number (0-65535).` };
  }
  const synth = values.synth ?? 'auto';
  if (synth !== 'auto' && synth !== 'always' && synth !== 'never') {
    return { kind: 'usage-error', message: '--synth must be auto, always or never.' };
  }
  const logFormat = values['log-format'];
  if (logFormat !== undefined && logFormat !== 'pretty' && logFormat !== 'json') {
    return { kind: 'usage-error', message: `--log-format must be pretty or json, not "${logFormat}".` };
  }
  const concurrency = env.QW_CONCURRENCY ? Number(env.QW_CONCURRENCY) : undefined;
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0)) {
    return {
      kind: 'usage-error',
      message: `QW_CONCURRENCY must be a whole number of at least 1, not "${env.QW_CONCURRENCY}".`,
    };
  }
  const faults = env.QW_FAULTS ? parseFaults(env.QW_FAULTS) : undefined;
  if (typeof faults === 'string') return { kind: 'usage-error', message: `QW_FAULTS: ${faults}` };
  const host = values.host || env.HOST;
  return {
    kind: 'start',
    ...(logFormat ? { logFormat } : {}),
    options: {
      port,
      ...(host ? { host } : {}),
      persist: values.persist ?? ['1', 'true'].includes(env.QW_PERSIST ?? ''),
      watch: values.watch,
      synth,
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(faults ? { faults: faults.plan } : {}),
      ...(faults?.submit !== undefined
        ? { functionEnvironment: { [ENV.testOnlyCrashBetweenSteps]: String(faults.submit) } }
        : {}),
      concurrencySetting: 'QW_CONCURRENCY',
      stateFile: STATE_FILE,
      hostEnv: env,
      ...(values.stack ? { stack: values.stack } : {}),
      ...(values.app ? { app: values.app } : {}),
      ...(values.out ? { outDir: values.out } : {}),
      ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    },
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      persist: { type: 'boolean' },
      'state-dir': { type: 'string' },
      watch: { type: 'boolean', default: true },
      stack: { type: 'string' },
      app: { type: 'string' },
      out: { type: 'string' },
      synth: { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    // --no-watch, and --no-persist against QW_PERSIST=1.
    allowNegative: true,
  });
}

/**
 * QW_FAULTS: the runtime's faults (any app's), and `submit`, this app's own
 * fault point: the share of submissions whose API execution environment ends
 * between queueing and recording them, or between recording and answering.
 * The API function honours it through its test-only variable.
 */
function parseFaults(text: string): { plan: FaultPlan; submit?: number } | string {
  const parts = text.split(',').map((p) => p.trim());
  const submitPart = parts.find((p) => p.startsWith('submit='));
  const plan = parseFaultPlan(parts.filter((p) => p !== submitPart).join(','));
  if (typeof plan === 'string') return plan;
  if (submitPart === undefined) return { plan };
  const value = submitPart.slice('submit='.length);
  const submit = Number(value);
  if (value === '' || !(submit >= 0 && submit <= 1)) return `submit must be a share from 0 to 1, not "${value}".`;
  return { plan, submit };
}
