/** How the client retries a request that is safe to send again. */
export interface RetryOptions {
  /**
   * Retries after the first attempt.
   * @default 3
   */
  readonly retries?: number;
  /**
   * Scale of the first retry's delay, in milliseconds; each retry doubles it.
   * @default 100
   */
  readonly baseDelayMs?: number;
  /**
   * No retry waits longer than this, in milliseconds (a `Retry-After` is held to it too).
   * @default 5000
   */
  readonly maxDelayMs?: number;
}

/** {@link RetryOptions} with every default applied. */
export type RetryPolicy = Required<RetryOptions>;

/** The defaults: four attempts over at most about a second and a half, with full jitter. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ retries: 3, baseDelayMs: 100, maxDelayMs: 5000 });

/** The policy for `retry` as the client's options give it; `false` turns retries off. */
export function retryPolicy(retry: RetryOptions | false | undefined): RetryPolicy {
  if (retry === false) return { ...DEFAULT_RETRY, retries: 0 };
  return { ...DEFAULT_RETRY, ...retry };
}

/**
 * The delay before retry number `attempt` (0 for the first): exponential
 * backoff with full jitter, so that many clients throttled at once do not come
 * back at once. A `Retry-After` from the server is a floor, within the cap.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}

/** A `Retry-After` header in milliseconds: delta-seconds or an HTTP date; `undefined` when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
