import { EXIT, type ExitCode } from '../errors.js';
import { type CliIo, writeJson } from '../io.js';
import { getJob, printJob, waitForJob } from '../jobs.js';
import type { Target } from '../targets/target.js';

/** Options of `qw status`. */
export interface StatusOptions {
  readonly jobId: string;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
  readonly json: boolean;
}

/** `qw status <jobId> [--wait]`. */
export async function status(target: Target, io: CliIo, options: StatusOptions): Promise<ExitCode> {
  if (options.wait) return waitForJob(target, io, options.jobId, options);
  const job = await getJob(target, options.jobId);
  if (options.json) writeJson(io, job);
  else printJob(io, job);
  return EXIT.OK;
}
