import { NonRetryableError, RetryableError } from '../shared/errors.js';
import * as z from '../shared/zod.js';
import { defineJobType } from './define.js';

/** Payload of a `webhook.deliver` job. */
export const webhookPayload = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }),
  /** Any JSON value; sent as the request body. */
  body: z.json(),
  /** Extra request headers; content-type and idempotency-key are set by the job. */
  headers: z.optional(
    z.record(z.string().check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a valid header name')), z.string()),
  ),
  /** Per-attempt timeout, in milliseconds. */
  timeoutMs: z.optional(z.number().check(z.int(), z.minimum(100), z.maximum(60_000))),
});

/** Result of a delivered webhook. */
export interface WebhookResult {
  readonly status: number;
  readonly durationMs: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Statuses that a 4xx normally rules out, but that ask the sender to come back
 * later: retrying them is what the receiver wants.
 */
const RETRYABLE_CLIENT_STATUSES = new Set([408, 425, 429]);

/**
 * POSTs a JSON body to a URL. 2xx succeeds; 5xx, network errors and timeouts
 * are retried; other 4xx are not, since the same request will fail the same way.
 * The job id goes out as `Idempotency-Key`, so a receiver can drop the duplicate
 * that an at-least-once queue will sometimes deliver.
 */
export const webhookDeliver = defineJobType({
  name: 'webhook.deliver',
  description: 'POSTs a JSON body to a URL; retries 5xx, 408, 429, network errors and timeouts.',
  payload: webhookPayload,
  queue: { maxAttempts: 8, timeoutSeconds: 60, backoff: { baseSeconds: 2, capSeconds: 900 } },
  handler: async (payload, ctx): Promise<WebhookResult> => {
    const timeoutMs = payload.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const started = performance.now();
    let response: Response;
    try {
      response = await fetch(payload.url, {
        method: 'POST',
        headers: {
          ...payload.headers,
          'content-type': 'application/json',
          'user-agent': 'queue-workers/webhook.deliver',
          'idempotency-key': ctx.jobId,
        },
        body: JSON.stringify(payload.body),
        redirect: 'manual',
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
      });
      // The body is not needed; reading it frees the connection.
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'network error';
      throw new RetryableError(`POST ${payload.url} failed: ${reason}`, { cause: error });
    }
    const durationMs = Math.round(performance.now() - started);
    if (response.status >= 200 && response.status < 300) return { status: response.status, durationMs };
    const message = `POST ${payload.url} answered ${response.status}`;
    if (response.status >= 500 || RETRYABLE_CLIENT_STATUSES.has(response.status)) throw new RetryableError(message);
    throw new NonRetryableError(`${message}; a 4xx will not change on retry`);
  },
});
