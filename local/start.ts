/**
 * `npm start`: runs the app locally. The one module that reads the command line
 * and the environment (see start-args.ts); everything below it takes options.
 */
import { PortInUseError } from './core/runtime/http-front.js';
import type { LocalRuntime } from './core/runtime/runtime.js';
import { SynthError } from './core/synth.js';
import { createOutput } from './core/terminal.js';
import { HELP, parseStartArgs } from './start-args.js';
import { type LocalOptions, startLocal } from './start-local.js';

/** Every log line of a job carries its id as `jobId`; readable lines show it right after the message. */
const LEADING_LOG_FIELDS = ['jobId'];

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** fauxqs loads node:sqlite even in memory; its ExperimentalWarning says nothing to a user of the runtime. */
function silenceSqliteWarning(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('SQLite is an experimental feature')) return;
    (emit as (...a: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

async function start(options: LocalOptions): Promise<LocalRuntime> {
  try {
    return await startLocal(options);
  } catch (error) {
    if (error instanceof PortInUseError) fail(error.message);
    if (error instanceof SynthError) fail(`${error.message}\n${error.output}`);
    fail(`Could not start: ${(error as Error).message}`);
  }
}

/** Ctrl+C (or SIGTERM) stops gracefully; a second one quits at once. */
function stopOnSignals(runtime: LocalRuntime): void {
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

const command = parseStartArgs(process.argv.slice(2), process.env);
if (command.kind === 'help') {
  process.stdout.write(HELP);
} else if (command.kind === 'usage-error') {
  fail(command.message);
} else {
  silenceSqliteWarning();
  const output = createOutput({
    leadingFields: LEADING_LOG_FIELDS,
    ...(command.logFormat ? { logFormat: command.logFormat } : {}),
  });
  stopOnSignals(await start({ ...command.options, output }));
}
