import { setTimeout as sleep } from 'node:timers/promises';
import { NonRetryableError, RetryableError } from '../shared/errors.js';
import * as z from '../shared/zod.js';
import { defineJobType, type JobContext } from './define.js';

/** Payload of a `simulate` job. */
export const simulatePayload = z.strictObject({
  /** Time to spend "working", in milliseconds. */
  sleepMs: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(900_000))),
  /** Report progress (10 to 100) ten times while sleeping, through ctx.progress. */
  reportProgress: z.optional(z.boolean()),
  /** Fail with a retryable error on this many first attempts. */
  failTimes: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(1000))),
  /** Fail with a non-retryable error on every attempt. */
  fatal: z.optional(z.boolean()),
  /**
   * On this attempt, end the process abruptly, as a crash in native code or
   * running out of memory would: no error, no outcome, nothing recorded.
   */
  crashOnAttempt: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(1000))),
  /** Hang this long, in milliseconds, ignoring the abort signal: a handler stuck past its timeout. */
  hangMs: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(900_000))),
});

/** Sleeps `ms`, in ten steps when it reports its progress; a cancellation or the deadline cuts it short. */
async function work(ms: number, report: boolean, ctx: JobContext): Promise<void> {
  if (!report) return void (await sleep(ms, undefined, { signal: ctx.signal }));
  for (let step = 1; step <= 10; step++) {
    await sleep(ms / 10, undefined, { signal: ctx.signal });
    await ctx.progress(step * 10);
  }
}

/**
 * A job that does nothing but what it is told: for demos, tests and
 * benchmarks of the retry and DLQ paths, and for fault injection (a crash, a
 * hang past the timeout).
 */
export const simulate = defineJobType({
  name: 'simulate',
  description:
    'Sleeps sleepMs (reporting its progress when reportProgress), then fails retryably on its first failTimes attempts, or always when fatal; crashOnAttempt ends the process, hangMs ignores the timeout.',
  payload: simulatePayload,
  queue: { maxAttempts: 3, backoff: { baseSeconds: 1, capSeconds: 30 } },
  handler: async (payload, ctx) => {
    // Exit code 137 is what a process killed for its memory shows; Lambda reports Runtime.ExitError.
    if (payload.crashOnAttempt === ctx.attempt) process.exit(137);
    if (payload.hangMs) await sleep(payload.hangMs);
    if (payload.sleepMs) await work(payload.sleepMs, payload.reportProgress === true, ctx);
    if (payload.fatal) throw new NonRetryableError('simulated fatal failure');
    const failTimes = payload.failTimes ?? 0;
    if (ctx.attempt <= failTimes) {
      throw new RetryableError(`simulated failure on attempt ${ctx.attempt} of ${failTimes}`);
    }
    return { attempt: ctx.attempt };
  },
});
