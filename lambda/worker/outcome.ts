import type { JobErrorInfo } from '../shared/job.js';

/** Fields every outcome carries, for logs and metrics. */
interface OutcomeBase {
  /** Unknown only when the body is not a job envelope. */
  readonly jobId?: string;
  readonly attempt: number;
}

/**
 * What became of one record. The first three are acknowledged (Lambda deletes
 * the message); the rest are reported in batchItemFailures.
 */
export type RecordOutcome =
  /** The job ran and its result is stored. */
  | (OutcomeBase & { readonly kind: 'succeeded'; readonly durationMs: number })
  /** The job was already `succeeded` or `failed` (or further along): a duplicate delivery, not run again. */
  | (OutcomeBase & { readonly kind: 'duplicate' })
  /** Not retryable: the body is now in the DLQ with the reason, and the job is `failed`. */
  | (OutcomeBase & { readonly kind: 'dead-lettered'; readonly error: JobErrorInfo; readonly durationMs?: number })
  /** Failed, will be retried after `visibilitySeconds` of backoff; the job is `retrying`. */
  | (OutcomeBase & {
      readonly kind: 'retry';
      readonly error: JobErrorInfo;
      readonly visibilitySeconds: number;
      readonly durationMs?: number;
    })
  /** Failed on its last attempt: the job is `failed` and SQS's redrive policy moves the message to the DLQ. */
  | (OutcomeBase & { readonly kind: 'exhausted'; readonly error: JobErrorInfo; readonly durationMs?: number })
  /** Not started (deadline, or an earlier record of its FIFO group failed); comes back at once, uncharged. */
  | (OutcomeBase & { readonly kind: 'not-started'; readonly error: JobErrorInfo });

/** True when Lambda should delete the record's message. */
export function isAcknowledged(outcome: RecordOutcome): boolean {
  return outcome.kind === 'succeeded' || outcome.kind === 'duplicate' || outcome.kind === 'dead-lettered';
}
