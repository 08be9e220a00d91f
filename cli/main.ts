import { type Command, parseInvocation } from './args.js';
import { cancel } from './commands/cancel.js';
import { dlqList, dlqPurge, dlqRedrive } from './commands/dlq.js';
import { events } from './commands/events.js';
import { schedules } from './commands/schedules.js';
import { status } from './commands/status.js';
import { submit } from './commands/submit.js';
import { watch } from './commands/watch.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { HELP } from './help.js';
import { type CliIo, processIo } from './io.js';
import { resolveTarget } from './targets/resolve.js';
import type { ResolveTarget, Target } from './targets/target.js';

/** What `qw` reaches outside its io; tests pass their own. */
export interface CliDeps {
  /** Finds and opens the target the flags name. @default resolveTarget: the local runtime, an emulator or AWS */
  readonly resolveTarget: ResolveTarget;
}

const DEFAULT_DEPS: CliDeps = { resolveTarget };

/** Runs one checked command on an open target. */
function dispatch(command: Command, json: boolean, target: Target, io: CliIo): Promise<ExitCode> {
  switch (command.name) {
    case 'submit':
      return submit(target, io, { ...command, json });
    case 'status':
      return status(target, io, { ...command, json });
    case 'cancel':
      return cancel(target, io, { ...command, json });
    case 'watch':
      return watch(target, io, { ...command, json });
    case 'events':
      return events(target, io, { ...command, json });
    case 'dlq list':
      return dlqList(target, io, { ...command, json });
    case 'dlq redrive':
      return dlqRedrive(target, io, { ...command, json });
    case 'dlq purge':
      return dlqPurge(target, io, { ...command, json });
    case 'schedules':
      return schedules(target, io, { json });
  }
}

async function run(argv: readonly string[], io: CliIo, deps: CliDeps): Promise<ExitCode> {
  const invocation = parseInvocation(argv);
  if (invocation.kind === 'help') {
    io.stdout.write(HELP);
    return invocation.exitCode;
  }
  const target = await deps.resolveTarget({ ...invocation.target, cwd: io.cwd, env: io.env });
  try {
    return await dispatch(invocation.command, invocation.json, target, io);
  } finally {
    target.close();
  }
}

/** One message on stderr: a line and a hint, or with `--json` a JSON `{ error }`. */
function report(io: CliIo, error: CliError, json: boolean): void {
  if (json) {
    io.stderr.write(
      `${JSON.stringify({ error: { exitCode: error.exitCode, message: error.message, hint: error.hint } })}\n`,
    );
  } else {
    io.stderr.write(`qw: ${error.message}\n${error.hint ? `    ${error.hint}\n` : ''}`);
  }
}

/**
 * Runs `qw` with `argv` (without `node qw`) and returns its exit code. Errors
 * become one message on stderr (a JSON `{ error }` with --json) and the exit
 * code of {@link EXIT} that names them.
 */
export async function main(
  argv: readonly string[],
  io: CliIo = processIo(),
  deps: CliDeps = DEFAULT_DEPS,
): Promise<ExitCode> {
  try {
    return await run(argv, io, deps);
  } catch (error) {
    const e =
      error instanceof CliError
        ? error
        : new CliError(EXIT.ERROR, (error as Error)?.message ?? String(error), undefined, { cause: error });
    // Read from argv, not the parsed flags: a command line that does not parse still asked for JSON.
    report(io, e, argv.includes('--json'));
    return e.exitCode;
  }
}
