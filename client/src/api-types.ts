/**
 * The bodies of the job API, as a producer sees them. The package is published
 * on its own, so these are declared here rather than imported from the API;
 * a type test in the repository holds them to the API's own schemas.
 */

/** Every status a job can have, in the order of its life. */
export const JOB_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;

/** Where a job is in its life. `succeeded`, `failed` and `cancelled` are final (a failed job may be redriven). */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A failure as the API reports it on a job: a code and a message, never a stack. */
export interface JobErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** `202` body of `POST /jobs`, and each accepted item of a batch. */
export interface JobAccepted<N extends string = string> {
  readonly jobId: string;
  readonly type: N;
  /** `queued` for a new job; a replayed idempotency key answers with the job's current status. */
  readonly status: JobStatus;
  /** Absolute URL of `GET /jobs/{jobId}` for this job. */
  readonly statusUrl: string;
}

/** A batch item the API refused, in the place of its item; the other items are unaffected. */
export interface JobRejected {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly details?: unknown;
  };
  /**
   * The idempotency key the item was sent with. When the whole request failed
   * (a network error, a 503 after the retries), the job may or may not exist:
   * submitting the item again with this key can never queue it twice.
   */
  readonly idempotencyKey?: string;
}

/** What `submitBatch` returns: one result per item, in the order of the items. */
export interface BatchAccepted<N extends string = string> {
  readonly accepted: number;
  readonly rejected: number;
  readonly results: readonly (JobAccepted<N> | JobRejected)[];
}

/** Fields every view of a job has, whatever its status. */
interface JobViewBase<N extends string> {
  readonly jobId: string;
  readonly type: N;
  /** Attempts started so far. */
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** What the handler last reported through `ctx.progress`: a number (0 to 100 by convention) or an object. */
  readonly progress?: number | Readonly<Record<string, unknown>>;
  /** Set while a running job has been asked to stop (see `cancel`). */
  readonly cancelRequested?: boolean;
}

/** A job that has not finished: `queued`, `running`, or `retrying` (with the last attempt's error). */
export interface PendingJob<N extends string = string> extends JobViewBase<N> {
  readonly status: 'queued' | 'running' | 'retrying';
  readonly error?: JobErrorInfo;
  readonly result?: undefined;
  readonly resultUrl?: undefined;
}

/**
 * A job that succeeded, with what its handler returned (`null` when it returned
 * nothing). A result over 4 MiB is not inlined: `result` is then absent and
 * `resultUrl`, a presigned GET valid for an hour, stands in its place.
 */
export interface SucceededJob<N extends string = string, R = unknown> extends JobViewBase<N> {
  readonly status: 'succeeded';
  readonly result: ResultValue<R>;
  readonly resultUrl?: string;
  readonly error?: undefined;
}

/** A job that failed for good: out of attempts, a non-retryable error, or dead-lettered. */
export interface FailedJob<N extends string = string> extends JobViewBase<N> {
  readonly status: 'failed';
  /** Why; absent only for a job failed again after a redrive that carried no reason. */
  readonly error?: JobErrorInfo;
  readonly result?: undefined;
  readonly resultUrl?: undefined;
}

/** A job cancelled before it ran, or one that stopped when asked to. */
export interface CancelledJob<N extends string = string> extends JobViewBase<N> {
  readonly status: 'cancelled';
  readonly error?: undefined;
  readonly result?: undefined;
  readonly resultUrl?: undefined;
}

/** A finished job: narrow on `status` to read `result` or `error`. */
export type FinishedJob<N extends string = string, R = unknown> = SucceededJob<N, R> | FailedJob<N> | CancelledJob<N>;

/** `202` body of `POST /jobs/{jobId}/cancel`: the job is running, and was asked to stop. */
export type CancelAsked<N extends string = string> = PendingJob<N> & { readonly message: string };

/** `200` body of `GET /jobs/{jobId}`: narrow on `status` (and on `type` for a union of types). */
export type JobView<N extends string = string, R = unknown> = PendingJob<N> | FinishedJob<N, R>;

/** A handler's result as the API returns it: the job table stores `null` for a handler that returned nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler declared `Promise<void>` resolves to `void`, which this must match.
export type ResultValue<R> = [R] extends [void] ? null : R;

/** `202` body of `POST /dlq/{type}/redrive`. */
export interface RedriveAccepted<N extends string = string> {
  readonly type: N;
  /** `manual` only where the SQS endpoint has no move tasks (the local runtime). */
  readonly method: 'StartMessageMoveTask' | 'manual';
  readonly taskHandle?: string;
  /** Failed jobs set back to `queued` before the move started. */
  readonly requeued: number;
  /** Messages moved, for a manual redrive. */
  readonly moved?: number;
}
