import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QUEUE_SETTINGS,
  defineJobType,
  type QueueSettings,
  settingsProblems,
  visibilityTimeoutSeconds,
} from '../../../lambda/jobs/define.js';
import { jobTypes } from '../../../lambda/jobs/registry.js';
import * as z from '../../../lambda/shared/zod.js';

const typeWith = (queue: QueueSettings, name = 'demo') =>
  defineJobType({ name, description: 'd', payload: z.object({}), handler: async () => null, queue });

describe('job type settings', () => {
  it('fills unspecified settings from the defaults, backoff field by field', () => {
    const t = typeWith({ maxAttempts: 5, backoff: { baseSeconds: 2, capSeconds: 300 } });
    expect(t.queue).toEqual({
      ...DEFAULT_QUEUE_SETTINGS,
      maxAttempts: 5,
      backoff: { baseSeconds: 2, capSeconds: 300 },
    });
  });

  it('derives the visibility timeout as 6 x the worker timeout plus the batching window', () => {
    expect(
      visibilityTimeoutSeconds(typeWith({ timeoutSeconds: 40, maxBatchingWindowSeconds: 5, batchSize: 50 }).queue),
    ).toBe(245);
  });

  it('accepts every registered job type', () => {
    for (const t of jobTypes) expect(settingsProblems(t.name, t.queue)).toEqual([]);
  });

  it.each<[string, QueueSettings, RegExp]>([
    [
      'a FIFO batch over 10',
      { fifo: true, batchSize: 20 },
      /FIFO queues deliver at most 10.*set batchSize to 10 or less/,
    ],
    ['a FIFO batching window', { fifo: true, maxBatchingWindowSeconds: 5 }, /FIFO.*set maxBatchingWindowSeconds to 0/],
    ['a batch over 10 without a window', { batchSize: 100 }, /set maxBatchingWindowSeconds to at least 1/],
    ['a timeout over 900 s', { timeoutSeconds: 901 }, /timeoutSeconds is 901.*900 s/],
    ['max concurrency below 2', { maxConcurrency: 1 }, /maxConcurrency is 1; it must be an integer from 2 to 1000/],
    ['a backoff cap under its base', { backoff: { baseSeconds: 10, capSeconds: 5 } }, /baseSeconds <= capSeconds/],
    ['zero attempts', { maxAttempts: 0 }, /maxAttempts is 0/],
  ])('rejects %s with a message that says how to fix it', (_name, settings, message) => {
    const t = typeWith(settings);
    expect(settingsProblems(t.name, t.queue).join('\n')).toMatch(message);
  });

  it('rejects a name that cannot become a queue name', () => {
    const t = typeWith({}, 'Bad Name!');
    expect(settingsProblems(t.name, t.queue)[0]).toMatch(/lower-case letters and digits/);
  });
});
