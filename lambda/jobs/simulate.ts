import { setTimeout as sleep } from 'node:timers/promises';
import { NonRetryableError, RetryableError } from '../shared/errors.js';
import * as z from '../shared/zod.js';
import { defineJobType } from './define.js';

/** Payload of a `simulate` job. */
export const simulatePayload = z.strictObject({
  /** Time to spend "working", in milliseconds. */
  sleepMs: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(900_000))),
  /** Fail with a retryable error on this many first attempts. */
  failTimes: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(1000))),
  /** Fail with a non-retryable error on every attempt. */
  fatal: z.optional(z.boolean()),
});

/**
 * A job that does nothing but what it is told: for demos, tests and
 * benchmarks of the retry and DLQ paths.
 */
export const simulate = defineJobType({
  name: 'simulate',
  description: 'Sleeps sleepMs, then fails retryably on its first failTimes attempts, or always when fatal.',
  payload: simulatePayload,
  queue: { maxAttempts: 3, backoff: { baseSeconds: 1, capSeconds: 30 } },
  handler: async (payload, ctx) => {
    if (payload.sleepMs) await sleep(payload.sleepMs, undefined, { signal: ctx.signal });
    if (payload.fatal) throw new NonRetryableError('simulated fatal failure');
    const failTimes = payload.failTimes ?? 0;
    if (ctx.attempt <= failTimes) {
      throw new RetryableError(`simulated failure on attempt ${ctx.attempt} of ${failTimes}`);
    }
    return { attempt: ctx.attempt };
  },
});
