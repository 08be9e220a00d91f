import { describe, expect, it } from 'vitest';
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

  it('declares max attempts 3 and a 1 s backoff base', () => {
    expect(simulate.queue.maxAttempts).toBe(3);
    expect(simulate.queue.backoff.baseSeconds).toBe(1);
  });

  it.each([{ sleepMs: -1 }, { failTimes: 1.5 }, { fatal: 'yes' }, { other: 1 }])(
    'rejects the payload %j',
    (payload) => {
      expect(z.safeParse(simulate.payload, payload).success).toBe(false);
    },
  );
});
