import type { JobLogger } from '../jobs/define.js';
import { DeadLetteredError, errorInfo } from '../shared/errors.js';
import { announceFinished, type FinishedJobListener } from '../shared/job-finished.js';
import type { JobStore, LeasedJob } from '../shared/job-store.js';

/** How patient the reconciler is, in seconds after a lease ended. */
export interface ReconcilerPolicy {
  /**
   * Before failing a job whose last lease ended: the worker dead-letters it
   * itself when the message comes back once more, which it normally does
   * within this time; the reconciler is the net for when it cannot.
   */
  readonly graceSeconds: number;
  /** Before reporting an earlier attempt that SQS has not delivered again as stalled. */
  readonly stalledAfterSeconds: number;
}

/** The reconciler's defaults: a minute of grace, five minutes before a job counts as stalled. */
export const DEFAULT_RECONCILER_POLICY: ReconcilerPolicy = Object.freeze({
  graceSeconds: 60,
  stalledAfterSeconds: 300,
});

/** Counts of one job type's reconciler metrics, published by the caller. */
export type ReconcilerCounts = Map<string, { expired: number; stalled: number }>;

/** What a reconciliation found and did. */
export interface ReconcileReport {
  /** Jobs whose last attempt's lease ended: now `failed` (DEAD_LETTERED). */
  readonly expired: readonly string[];
  /** Jobs on an earlier attempt whose lease ended long ago, with no new attempt started: reported, left to SQS. */
  readonly stalled: readonly string[];
  /** Per job type, for the metrics. */
  readonly counts: ReconcilerCounts;
}

/** What {@link reconcile} needs. */
export interface ReconcilerDeps {
  readonly store: JobStore;
  readonly logger: JobLogger;
  readonly policy: ReconcilerPolicy;
  /** Told of each job this reconciler failed (job events, callbacks). @default none */
  readonly onFinished?: FinishedJobListener;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * Resolves the running jobs whose lease has ended, so that no accepted job is
 * left `running` forever when its worker stops (a crash, a hard timeout,
 * running out of memory, with no code of ours left to record it):
 * - on its last attempt, the job is `failed` as DEAD_LETTERED: SQS hands its
 *   message to the worker once more (which dead-letters it) or, failing that,
 *   moves it to the DLQ itself, so the DLQ holds it either way;
 * - on an earlier attempt, SQS delivers the message again after its
 *   visibility timeout (which the lease matches) and the next attempt takes
 *   over; a job not picked up long after is reported as stalled, and left.
 */
export async function reconcile(deps: ReconcilerDeps): Promise<ReconcileReport> {
  const nowSeconds = Math.floor((deps.now?.() ?? new Date()).getTime() / 1000);
  const { graceSeconds, stalledAfterSeconds } = deps.policy;
  const expired: string[] = [];
  const stalled: string[] = [];
  const counts: ReconcilerCounts = new Map();
  const count = (job: LeasedJob, what: 'expired' | 'stalled') => {
    const c = counts.get(job.type) ?? { expired: 0, stalled: 0 };
    c[what] += 1;
    counts.set(job.type, c);
  };
  for await (const job of deps.store.expiredLeases(nowSeconds - Math.min(graceSeconds, stalledAfterSeconds))) {
    const endedAgo = nowSeconds - job.leaseExpiresAt;
    if (job.attempts >= job.maxAttempts) {
      if (endedAgo >= graceSeconds && (await expire(deps, job))) {
        expired.push(job.jobId);
        count(job, 'expired');
      }
    } else if (endedAgo >= stalledAfterSeconds) {
      stalled.push(job.jobId);
      count(job, 'stalled');
      deps.logger.warn('job stalled: its lease ended and no new attempt has started', {
        jobId: job.jobId,
        type: job.type,
        attempt: job.attempts,
        leaseEndedSecondsAgo: endedAgo,
      });
    }
  }
  return { expired, stalled, counts };
}

/** Fails a job whose last lease ended; false when it moved on meanwhile (or the write failed, logged). */
async function expire(deps: ReconcilerDeps, job: LeasedJob): Promise<boolean> {
  const error = errorInfo(
    new DeadLetteredError(
      `The job's worker stopped during its last attempt (${job.attempts} of ${job.maxAttempts}): a crash, a timeout or running out of memory. Its message is dead-lettered.`,
    ),
  );
  try {
    const done = await deps.store.transition(
      job.jobId,
      { to: 'failed', from: 'running', attempt: job.attempts, error },
      { type: job.type, maxAttempts: job.maxAttempts },
    );
    if (done) {
      deps.logger.error('job failed: its worker stopped during its last attempt', {
        jobId: job.jobId,
        type: job.type,
        attempt: job.attempts,
        error,
      });
      const finishedAt = (deps.now?.() ?? new Date()).toISOString();
      await announceFinished(
        deps.onFinished,
        { jobId: job.jobId, type: job.type, status: 'failed', attempts: job.attempts, error, finishedAt },
        deps.logger,
      );
    }
    return done;
  } catch (writeError) {
    deps.logger.error('could not fail a job whose last lease ended; the next run tries again', {
      jobId: job.jobId,
      type: job.type,
      error: errorInfo(writeError),
    });
    return false;
  }
}
