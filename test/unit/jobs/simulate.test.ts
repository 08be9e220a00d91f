import { describe, expect, it, vi } from 'vitest';
import { simulate } from '../../../lambda/jobs/simulate.js';
import { NonRetryableError, RetryableError } from '../../../lambda/shared/errors.js';
import * as z from '../../../lambda/shared/zod.js';
import { jobContext } from '../../helpers/job-context.js';

describe('simulate job', () => {
  it('returns the attempt number when it succeeds', async () => {
    await expect(simulate.handler({}, jobContext({ attempt: 2 }))).resolves.toEqual({ attempt: 2 });
  });

  it('fails retryably on its first failTimes attempts, then succeeds', async () => {
    await expect(simulate.handler({ failTimes: 2 }, jobContext({ attempt: 1 }))).rejects.toBeInstanceOf(RetryableError);
    await expect(simulate.handler({ failTimes: 2 }, jobContext({ attempt: 2 }))).rejects.toBeInstanceOf(RetryableError);
    await expect(simulate.handler({ failTimes: 2 }, jobContext({ attempt: 3 }))).resolves.toEqual({ attempt: 3 });
  });

  it('fails non-retryably on every attempt when fatal', async () => {
    await expect(simulate.handler({ fatal: true }, jobContext({ attempt: 3 }))).rejects.toBeInstanceOf(
      NonRetryableError,
    );
  });

  it('stops sleeping when the abort signal fires', async () => {
    const controller = new AbortController();
    const run = simulate.handler({ sleepMs: 60_000 }, jobContext({ signal: controller.signal }));
    controller.abort();
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('ends the process on crashOnAttempt, and only on that attempt', async () => {
    // Prepare: process.exit is replaced, so the test runner survives
    const exit = vi.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exited');
    });

    // Act + Assess
    await expect(simulate.handler({ crashOnAttempt: 2 }, jobContext({ attempt: 2 }))).rejects.toThrow('exited');
    expect(exit).toHaveBeenCalledWith(137);
    await expect(simulate.handler({ crashOnAttempt: 2 }, jobContext({ attempt: 1 }))).resolves.toEqual({ attempt: 1 });
    exit.mockRestore();
  });

  it('hangs for hangMs even when the abort signal fires', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const run = simulate.handler({ hangMs: 200 }, jobContext({ signal: controller.signal }));
    controller.abort();
    await expect(run).resolves.toEqual({ attempt: 1 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('declares max attempts 3 and a 1 s backoff base', () => {
    expect(simulate.queue.maxAttempts).toBe(3);
    expect(simulate.queue.backoff.baseSeconds).toBe(1);
  });

  it.each([{ sleepMs: -1 }, { failTimes: 1.5 }, { fatal: 'yes' }, { other: 1 }, { crashOnAttempt: 0 }, { hangMs: -5 }])(
    'rejects the payload %j',
    (payload) => {
      expect(z.safeParse(simulate.payload, payload).success).toBe(false);
    },
  );
});
