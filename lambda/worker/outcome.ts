import type { JobErrorInfo } from '../shared/job.js';

/** Fields every outcome carries, for logs and metrics. */
interface OutcomeBase {
  /** Unknown only when the body is not a job envelope. */
  readonly jobId?: string;
  readonly attempt: number;
}

/**
 * What became of one record. The first five are acknowledged (Lambda deletes
 * the message); the rest are reported in batchItemFailures. Every terminal
 * outcome is the worker's own: a `failed` job's message is in the DLQ, with
 * its reason, from the moment its status says so.
 */
export type RecordOutcome =
  /** The job ran and its result is stored. */
  | (OutcomeBase & { readonly kind: 'succeeded'; readonly durationMs: number })
  /** The job was already `succeeded` or `failed` (or further along): a duplicate delivery, not run again. */
  | (OutcomeBase & { readonly kind: 'duplicate' })
  /** The job was cancelled: before this attempt (not run), or while it ran (it stopped, or its result was dropped). */
  | (OutcomeBase & { readonly kind: 'cancelled'; readonly ran: boolean; readonly durationMs?: number })
  /** Not retryable: the body is now in the DLQ with the reason, and the job is `failed`. */
  | (OutcomeBase & { readonly kind: 'dead-lettered'; readonly error: JobErrorInfo; readonly durationMs?: number })
  /** Failed, will be retried after `visibilitySeconds` of backoff; the job is `retrying`. */
  | (OutcomeBase & {
      readonly kind: 'retry';
      readonly error: JobErrorInfo;
      readonly visibilitySeconds: number;
      readonly durationMs?: number;
    })
  /**
   * Out of attempts: it failed on its last one, or its worker stopped during it
   * (the message came back once more). The body is now in the DLQ with the reason, and the job is `failed`.
   */
  | (OutcomeBase & { readonly kind: 'exhausted'; readonly error: JobErrorInfo; readonly durationMs?: number })
  /** Not started (deadline, or an earlier record of its FIFO group failed); comes back at once, uncharged. */
  | (OutcomeBase & { readonly kind: 'not-started'; readonly error: JobErrorInfo });

/** True when Lambda should delete the record's message. */
export function isAcknowledged(outcome: RecordOutcome): boolean {
  return (
    outcome.kind === 'succeeded' ||
    outcome.kind === 'duplicate' ||
    outcome.kind === 'cancelled' ||
    outcome.kind === 'dead-lettered' ||
    outcome.kind === 'exhausted'
  );
}
