import type { BatchAccepted, JobAccepted, JobRejected } from './api-types.js';
import { CLIENT_ERROR_CODES, errorFromResponse, JobApiError } from './errors.js';
import { newIdempotencyKey } from './idempotency.js';
import type { SubmitFields } from './job-types.js';
import type { ApiResponse, Transport } from './transport.js';

/** Most jobs the API takes in one `POST /jobs/batch`. */
export const MAX_BATCH_JOBS = 100;

/** One job as `POST /jobs` and each batch item take it. */
export interface SubmitBody extends SubmitFields {
  readonly type: string;
  readonly payload: unknown;
  readonly idempotencyKey: string;
}

/** The request body of one job, with a key made up when the caller gave none, so a retry is always safe. */
export function submitBody(type: string, payload: unknown, fields: SubmitFields = {}): SubmitBody {
  return {
    type,
    payload,
    idempotencyKey: fields.idempotencyKey ?? newIdempotencyKey(),
    ...(fields.delaySeconds !== undefined ? { delaySeconds: fields.delaySeconds } : {}),
    ...(fields.groupId !== undefined ? { groupId: fields.groupId } : {}),
    ...(fields.callbackUrl !== undefined ? { callbackUrl: fields.callbackUrl } : {}),
  };
}

function rejectedFor(items: readonly SubmitBody[], error: JobApiError): JobRejected[] {
  const reason = {
    code: error.code,
    message: error.message,
    ...(error.details !== undefined ? { details: error.details } : {}),
  };
  return items.map((item) => ({ error: reason, idempotencyKey: item.idempotencyKey }));
}

/** The results of one chunk's response, or the error that stands for each of its items. */
function chunkOutcome(res: ApiResponse, size: number): (JobAccepted | JobRejected)[] | JobApiError {
  if (res.status !== 202) return errorFromResponse(res.status, res.body, res.requestId);
  const results = (res.body as { results?: unknown } | undefined)?.results;
  if (Array.isArray(results) && results.length === size) return results as (JobAccepted | JobRejected)[];
  return new JobApiError(
    CLIENT_ERROR_CODES.INVALID_RESPONSE,
    `POST /jobs/batch answered 202 without one result for each of its ${size} jobs.`,
    { status: res.status, body: res.body, ...(res.requestId ? { requestId: res.requestId } : {}) },
  );
}

/**
 * Submits `items` in chunks of {@link MAX_BATCH_JOBS}, one after another, and
 * gives one result per item in their order. A chunk the API refuses as a whole
 * (or that gets no answer after the retries) has each of its items rejected
 * with that error and its idempotency key, so nothing accepted is lost from
 * view; only an abort rejects the promise.
 */
export async function submitInChunks(
  send: Transport,
  items: readonly SubmitBody[],
  signal: AbortSignal | undefined,
): Promise<BatchAccepted> {
  const results: (JobAccepted | JobRejected)[] = [];
  for (let start = 0; start < items.length; start += MAX_BATCH_JOBS) {
    const chunk = items.slice(start, start + MAX_BATCH_JOBS);
    let outcome: (JobAccepted | JobRejected)[] | JobApiError;
    try {
      const res = await send({
        method: 'POST',
        path: '/jobs/batch',
        body: { jobs: chunk },
        idempotent: true,
        ...(signal ? { signal } : {}),
      });
      outcome = chunkOutcome(res, chunk.length);
    } catch (error) {
      if (!(error instanceof JobApiError)) throw error;
      outcome = error;
    }
    results.push(...(outcome instanceof JobApiError ? rejectedFor(chunk, outcome) : outcome));
  }
  const rejected = results.filter((r) => 'error' in r).length;
  return { accepted: results.length - rejected, rejected, results };
}
