import type { JobLogger } from '../jobs/define.js';
import { errorInfo } from './errors.js';
import type { JobErrorInfo, JobRecord } from './job.js';

/**
 * A job that reached a terminal status, as its finisher tells it: the worker
 * or the reconciler whose conditional write won the transition, so each job is
 * told once (short of a redrive, which starts it again).
 */
export interface FinishedJob {
  readonly jobId: string;
  readonly type: string;
  readonly status: 'succeeded' | 'failed';
  readonly attempts: number;
  readonly result?: unknown;
  readonly error?: JobErrorInfo;
  readonly finishedAt: string;
  /** The record as the finisher read it before the write, when it did (its callback URL, for one). */
  readonly record?: JobRecord;
}

/**
 * Told of each job that finished: job events, completion callbacks. Runs after
 * the status is written and before the message is acknowledged.
 */
export type FinishedJobListener = (job: FinishedJob) => Promise<void>;

/**
 * Tells `listener` of a finished job. A listener that fails is logged, never
 * thrown: the job's outcome is written and stands whatever a listener does.
 */
export async function announceFinished(
  listener: FinishedJobListener | undefined,
  job: FinishedJob,
  logger: JobLogger,
): Promise<void> {
  if (!listener) return;
  try {
    await listener(job);
  } catch (error) {
    logger.error('could not announce the finished job', {
      jobId: job.jobId,
      type: job.type,
      status: job.status,
      error: errorInfo(error),
    });
  }
}
