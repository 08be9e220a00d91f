import { JobApiError } from '@queue-workers/client';
import type { JobView } from '../../lambda/shared/job.js';
import { fromApiError } from '../api.js';
import { CliError, EXIT, type ExitCode } from '../errors.js';
import { type CliIo, writeJson } from '../io.js';
import { printJob } from '../jobs.js';
import type { Target } from '../targets/target.js';

/** Options of `qw cancel`. */
export interface CancelOptions {
  readonly jobId: string;
  readonly json: boolean;
}

/**
 * `qw cancel <jobId>`: a queued or retrying job is cancelled at once; a running
 * one is asked to stop (its handler's signal fires) and ends cancelled if it
 * does. A finished job is REFUSED, naming its status.
 */
export async function cancel(target: Target, io: CliIo, options: CancelOptions): Promise<ExitCode> {
  let job: JobView & { readonly message?: string };
  try {
    job = (await target.jobs.cancel(options.jobId)) as JobView & { readonly message?: string };
  } catch (error) {
    if (error instanceof JobApiError && error.status === 404) {
      throw new CliError(
        EXIT.NOT_FOUND,
        `No job "${options.jobId}" on ${target.description} (never submitted, or expired).`,
      );
    }
    if (error instanceof JobApiError && error.code === 'JOB_FINISHED') {
      throw new CliError(EXIT.REFUSED, `Job ${options.jobId} has already finished: ${error.message}`);
    }
    throw fromApiError(error, `Cancelling job ${options.jobId} failed`, target.jobs);
  }
  if (options.json) {
    writeJson(io, job);
    return EXIT.OK;
  }
  printJob(io, job);
  io.stderr.write(
    job.status === 'cancelled'
      ? `Cancelled: no attempt of it starts from now on.\n`
      : `Running: asked to stop. It ends cancelled if its handler stops; follow it with: qw status ${job.jobId} --wait\n`,
  );
  return EXIT.OK;
}
