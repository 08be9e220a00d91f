import { parseArgs } from 'node:util';
import { PortInUseError, startLocal } from './runtime.js';
import { SynthError } from './synth.js';

const HELP = `Usage: npm start -- [options]

Runs the CDK app locally: REST API, queues, workers and job table, with no AWS account.

Options:
  --port <n>        Port of the API (env PORT; default 3000)
  --host <addr>     Address to bind (env HOST; default 127.0.0.1)
  --persist         Keep queues, messages and jobs in .qw/ across restarts (env QW_PERSIST=1)
  --no-watch        Do not reload functions when bin/, lib/ or lambda/ change
  --stack <name>    Stack to run when the app has several
  --app <command>   Another CDK app command (with --out)
  --out <dir>       Cloud assembly directory (default cdk.out)
  --synth <mode>    auto (default), always or never
  -h, --help        Show this help
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let values: ReturnType<typeof parse>['values'];
  function parse() {
    return parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        persist: { type: 'boolean' },
        watch: { type: 'boolean', default: true },
        'no-watch': { type: 'boolean' },
        stack: { type: 'string' },
        app: { type: 'string' },
        out: { type: 'string' },
        synth: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowNegative: true,
    });
  }
  try {
    values = parse().values;
  } catch (error) {
    fail(`${(error as Error).message}\n\n${HELP}`);
  }
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const portText = values.port ?? process.env.PORT;
  const port = portText === undefined ? 3000 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) fail(`Port "${portText}" is not a port number (0-65535).`);
  const synth = values.synth ?? 'auto';
  if (synth !== 'auto' && synth !== 'always' && synth !== 'never') fail(`--synth must be auto, always or never.`);

  let runtime: Awaited<ReturnType<typeof startLocal>>;
  try {
    runtime = await startLocal({
      port,
      ...(values.host ? { host: values.host } : {}),
      persist: values.persist ?? ['1', 'true'].includes(process.env.QW_PERSIST ?? ''),
      watch: values.watch !== false && !values['no-watch'],
      synth,
      // Where `qw` looks for the running runtime.
      stateFile: 'local.json',
      ...(values.stack ? { stack: values.stack } : {}),
      ...(values.app ? { app: values.app } : {}),
      ...(values.out ? { outDir: values.out } : {}),
    });
  } catch (error) {
    if (error instanceof PortInUseError) fail(error.message);
    if (error instanceof SynthError) fail(`${error.message}\n${error.output}`);
    fail(`Could not start: ${(error as Error).message}`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stderr.write('Stopping now, without waiting.\n');
      process.exit(130);
    }
    stopping = true;
    process.stdout.write(
      `\n${signal}: stopping pollers and waiting for work in flight (Ctrl+C again to quit now) ...\n`,
    );
    runtime.stop().then(
      () => process.exit(0),
      (error: Error) => fail(`Stopped with an error: ${error.message}`),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

await main();
