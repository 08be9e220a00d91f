import { createHmac } from 'node:crypto';
import { ConfigError } from './errors.js';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): three headers,
 * the signature an HMAC-SHA256 of `id.timestamp.body` with the secret's bytes.
 * Signed with node:crypto: the algorithm is a few lines, and the native HMAC
 * needs no dependency in every worker bundle. The tests verify these
 * signatures with the Standard Webhooks project's own `standardwebhooks`
 * package, so they are checked by an implementation other than this one.
 */

/** How Standard Webhooks writes a secret: this prefix, then the key's bytes in base64. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** Fewest key bytes accepted: the specification asks for 24 to 64. */
const MIN_KEY_BYTES = 24;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The headers of one signed request. */
export interface WebhookSignatureHeaders {
  /** The message's id; the same on every retry of the same message, so receivers can drop duplicates. */
  readonly 'webhook-id': string;
  /** Seconds since the epoch when this attempt was signed; receivers refuse old ones (replay). */
  readonly 'webhook-timestamp': string;
  /** `v1,<base64 HMAC-SHA256 of id.timestamp.body>`. */
  readonly 'webhook-signature': string;
}

/**
 * The key bytes of a Standard Webhooks secret: `whsec_<base64>`, or the base64
 * alone (as the stack's generated secret is stored). Throws a
 * {@link ConfigError} naming the problem, never the secret.
 */
export function signingKeyOf(secret: string): Buffer {
  const trimmed = secret.trim();
  const encoded = trimmed.startsWith(WEBHOOK_SECRET_PREFIX) ? trimmed.slice(WEBHOOK_SECRET_PREFIX.length) : trimmed;
  if (!BASE64.test(encoded)) {
    throw new ConfigError(
      `The webhook signing secret must be ${WEBHOOK_SECRET_PREFIX} followed by base64 (or the base64 alone); it is not.`,
    );
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES) {
    throw new ConfigError(
      `The webhook signing secret holds ${key.length} bytes; Standard Webhooks asks for ${MIN_KEY_BYTES} to 64.`,
    );
  }
  return key;
}

/** The Standard Webhooks headers for sending `body` as message `id` at `timestamp`. */
export function webhookSignatureHeaders(
  key: Buffer,
  id: string,
  timestamp: Date,
  body: string,
): WebhookSignatureHeaders {
  const seconds = Math.floor(timestamp.getTime() / 1000);
  const signature = createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(seconds), 'webhook-signature': `v1,${signature}` };
}
