import type { JobLogger } from '../jobs/define.js';
import { errorInfo } from './errors.js';
import type { JobErrorInfo, JobOrigin, JobRecord } from './job.js';

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
  /**
   * What the job's message said of it, when the API sent it: the same callback URL as its record holds (the
   * request hash that ties them covers it), known without a read when the finisher found no record.
   */
  readonly origin?: JobOrigin;
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

/**
 * One listener that tells every given listener (those present) of each
 * finished job, side by side: they are independent, and a job's message waits
 * for them. Each is told even when another fails; a failure is then thrown,
 * the several as one AggregateError, for {@link announceFinished} to log.
 * Undefined when no listener is given, so a finisher skips the work.
 */
export function composeListeners(
  ...listeners: readonly (FinishedJobListener | undefined)[]
): FinishedJobListener | undefined {
  const present = listeners.filter((l): l is FinishedJobListener => l !== undefined);
  if (present.length <= 1) return present[0];
  return async (job) => {
    const settled = await Promise.allSettled(present.map((listener) => listener(job)));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      const messages = failures.map((f) => errorInfo(f).message).join('; ');
      throw new AggregateError(failures, `${failures.length} finished-job listeners failed: ${messages}`);
    }
  };
}
