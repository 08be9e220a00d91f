import { JobFinishedError, NotFoundError } from '../shared/errors.js';
import type { JobRecord } from '../shared/job.js';
import type { JobStore } from '../shared/job-store.js';
import { quote } from '../shared/quote.js';

/** What a cancellation did. */
export type CancelResult =
  /** The job is `cancelled`: no attempt starts after this (it was waiting, or cancelled already). */
  | { readonly kind: 'cancelled'; readonly job: JobRecord }
  /** The job is `running`: its handler's signal fires, and it ends `cancelled` if it stops. */
  | { readonly kind: 'asked'; readonly job: JobRecord };

/** Rounds of read-then-write before giving up on a job that keeps moving. */
const ROUNDS = 5;

/**
 * Cancels a job: a waiting one (`queued`, `retrying`) for good with one
 * conditional write; a running one is asked to stop (cooperative, through its
 * handler's signal). A finished job is a {@link JobFinishedError}. Each write
 * is conditional on the status just read; when the job moved on in between,
 * it is read again and the new status decides.
 */
export async function cancelJob(store: JobStore, jobId: string): Promise<CancelResult> {
  for (let round = 0; round < ROUNDS; round++) {
    const job = await store.get(jobId);
    if (!job) throw new NotFoundError(`No job with id ${quote(jobId)}.`, { jobId });
    const context = { type: job.type, maxAttempts: job.maxAttempts };
    switch (job.status) {
      case 'cancelled':
        return { kind: 'cancelled', job };
      case 'succeeded':
      case 'failed':
        throw new JobFinishedError(jobId, job.status);
      case 'queued':
      case 'retrying':
        if (await store.transition(jobId, { to: 'cancelled' }, context)) {
          return { kind: 'cancelled', job: { ...job, status: 'cancelled' } };
        }
        break;
      case 'running':
        if (job.cancelRequested) return { kind: 'asked', job };
        if (await store.transition(jobId, { to: 'running', requestCancel: true }, context)) {
          return { kind: 'asked', job: { ...job, cancelRequested: true } };
        }
        break;
    }
  }
  // Only a job whose status changes between every read and write gets here: the caller may try again.
  throw new Error(`Job ${jobId} changed status ${ROUNDS} times while it was being cancelled.`);
}
