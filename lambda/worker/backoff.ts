import { type BackoffPolicy, MAX_VISIBILITY_TIMEOUT_SECONDS } from '../jobs/define.js';

/**
 * Seconds a failed job waits before its next attempt: exponential backoff with
 * full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter").
 * The ceiling is `min(cap, base * 2^(attempt-1))`; the delay is drawn uniformly
 * from whole seconds in `[1, ceiling]`. The floor of 1 s is deliberate: a
 * visibility of 0 would hand the message straight back, a hot loop that backoff
 * exists to prevent. The result never exceeds SQS's 43,200 s visibility limit.
 *
 * @param attempt - the attempt that just failed, 1-based (ApproximateReceiveCount)
 * @param random - a number in [0, 1), `Math.random` by default; tests pass their own
 */
export function backoffSeconds(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  // 2 ** 1024 is Infinity; min() with the cap keeps the ceiling finite.
  const ceiling = Math.min(policy.capSeconds, policy.baseSeconds * 2 ** exponent, MAX_VISIBILITY_TIMEOUT_SECONDS);
  return Math.min(Math.max(1, Math.ceil(random() * ceiling)), MAX_VISIBILITY_TIMEOUT_SECONDS);
}
