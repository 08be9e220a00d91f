import { EXIT, type ExitCode, fromAwsError } from '../errors.js';
import { type CliIo, table, writeJson } from '../io.js';
import type { Target } from '../targets/target.js';

/**
 * `qw schedules`: each EventBridge Scheduler schedule of the stack, with its
 * expression, timezone, state and next firing (UTC).
 */
export async function schedules(target: Target, io: CliIo, options: { readonly json: boolean }): Promise<ExitCode> {
  let rows: Awaited<ReturnType<Target['schedules']>>;
  try {
    rows = await target.schedules();
  } catch (error) {
    throw fromAwsError(error, 'Listing the schedules');
  }
  if (options.json) {
    writeJson(io, { schedules: rows });
    return EXIT.OK;
  }
  if (!rows.length) {
    io.stdout.write(`No schedules in ${target.description}. A job type declares them with schedules: [...].\n`);
    return EXIT.OK;
  }
  const lines = rows.map((r) => [
    r.jobType && r.schedule ? `${r.jobType}/${r.schedule}` : r.name,
    r.expression,
    r.timezone,
    r.state,
    r.nextFiring ?? '-',
  ]);
  io.stdout.write(
    `${rows.length} schedule(s) in ${target.description}:\n\n${table(['SCHEDULE', 'EXPRESSION', 'TIMEZONE', 'STATE', 'NEXT FIRING (UTC)'], lines)}\n`,
  );
  return EXIT.OK;
}
