import { ConfigError, errorInfo, NonRetryableError, RetryableError } from '../shared/errors.js';
import { quote } from '../shared/quote.js';
import { webhookSignatureHeaders } from '../shared/webhook-signature.js';
import * as z from '../shared/zod.js';
import { defineJobType, type JobContext, type JobType } from './define.js';
import { postJson } from './webhook-post.js';
import { environmentSettings, type WebhookSettings } from './webhook-settings.js';

/** The job type that delivers webhooks, completion callbacks included. */
export const WEBHOOK_DELIVER = 'webhook.deliver';

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
  /** Sign the request with the stack's secret: Standard Webhooks headers, the job id as `webhook-id`. */
  sign: z.optional(z.boolean()),
});

/** Payload of a `webhook.deliver` job, as its handler receives it. */
export type WebhookPayload = z.infer<typeof webhookPayload>;

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

/** What {@link webhookDeliverJob} needs: its settings, and a clock for signatures. */
export interface WebhookDeliverOptions {
  readonly settings: WebhookSettings;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/**
 * POSTs a JSON body to a URL. 2xx succeeds; 5xx, 408, 425, 429, network errors
 * and timeouts are retried; other 4xx are not, since the same request will fail
 * the same way. The job id goes out as `Idempotency-Key` (and as `webhook-id`
 * when signed), so a receiver can drop the duplicate that an at-least-once queue
 * will sometimes deliver. Unless the stack allows private networks, a URL that
 * names or resolves to a private, loopback or link-local address is refused.
 */
export function webhookDeliverJob(
  options: WebhookDeliverOptions,
): JobType<WebhookPayload, WebhookResult, typeof WEBHOOK_DELIVER, typeof webhookPayload> {
  const now = options.now ?? (() => new Date());
  return defineJobType({
    name: WEBHOOK_DELIVER,
    description: 'POSTs a JSON body to a URL, signed if asked; retries 5xx, 408, 429, network errors and timeouts.',
    payload: webhookPayload,
    queue: { maxAttempts: 8, timeoutSeconds: 60, backoff: { baseSeconds: 2, capSeconds: 900 } },
    handler: async (payload, ctx): Promise<WebhookResult> => {
      const body = JSON.stringify(payload.body);
      const signature = payload.sign ? await signatureHeaders(options.settings, ctx, now(), body) : {};
      const timeoutMs = payload.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      const timeout = AbortSignal.timeout(timeoutMs);
      const started = performance.now();
      let status: number;
      try {
        status = await postJson({
          url: new URL(payload.url),
          headers: {
            ...payload.headers,
            ...signature,
            'content-type': 'application/json',
            'user-agent': 'queue-workers/webhook.deliver',
            'idempotency-key': ctx.jobId,
          },
          body,
          signal: AbortSignal.any([ctx.signal, timeout]),
          refusePrivateAddresses: !options.settings.allowPrivateNetworks(),
        });
      } catch (error) {
        if (error instanceof NonRetryableError) throw error;
        const reason = timeout.aborted ? `timed out after ${timeoutMs} ms` : 'network error';
        throw new RetryableError(`POST ${quote(payload.url)} failed: ${reason}`, { cause: error });
      }
      const durationMs = Math.round(performance.now() - started);
      if (status >= 200 && status < 300) return { status, durationMs };
      const message = `POST ${quote(payload.url)} answered ${status}`;
      if (status >= 500 || RETRYABLE_CLIENT_STATUSES.has(status)) throw new RetryableError(message);
      throw new NonRetryableError(`${message}; a 4xx will not change on retry`);
    },
  });
}

/** The Standard Webhooks headers of this attempt: signed now, so a retry carries a fresh timestamp. */
async function signatureHeaders(settings: WebhookSettings, ctx: JobContext, at: Date, body: string) {
  let key: Buffer;
  try {
    key = await settings.signingKey();
  } catch (error) {
    // A missing or malformed secret stays so until the stack is fixed; a redrive sends the job again then.
    if (error instanceof ConfigError) throw new NonRetryableError(error.message, { cause: error, code: error.code });
    throw new RetryableError(`Could not read the webhook signing secret: ${errorInfo(error).message}`, {
      cause: error,
    });
  }
  return webhookSignatureHeaders(key, ctx.jobId, at, body);
}

/** The `webhook.deliver` job type, with its settings from the worker's environment. */
export const webhookDeliver = webhookDeliverJob({ settings: environmentSettings() });
