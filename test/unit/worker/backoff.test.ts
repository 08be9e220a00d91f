import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from '../../../lambda/jobs/define.js';
import { backoffSeconds } from '../../../lambda/worker/backoff.js';

describe('backoffSeconds', () => {
  it('doubles the ceiling each attempt until the cap', () => {
    const policy = { baseSeconds: 1, capSeconds: 30 };
    const top = (attempt: number) => backoffSeconds(policy, attempt, () => 0.999_999);

    expect([1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([1, 2, 4, 8, 16, 30, 30]);
  });

  it('stays within [1, min(cap, base * 2^(attempt-1))] whole seconds for any policy, attempt and jitter', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 1000, noNaN: true }),
        fc.double({ min: 0, max: MAX_VISIBILITY_TIMEOUT_SECONDS, noNaN: true }),
        fc.integer({ min: 1, max: 2000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (base, extra, attempt, r) => {
          const cap = Math.min(MAX_VISIBILITY_TIMEOUT_SECONDS, base + extra);
          const seconds = backoffSeconds({ baseSeconds: base, capSeconds: cap }, attempt, () => r);
          const ceiling = Math.min(cap, base * 2 ** (attempt - 1));
          expect(Number.isInteger(seconds)).toBe(true);
          expect(seconds).toBeGreaterThanOrEqual(1);
          expect(seconds).toBeLessThanOrEqual(Math.max(1, Math.ceil(ceiling)));
          expect(seconds).toBeLessThanOrEqual(MAX_VISIBILITY_TIMEOUT_SECONDS);
        },
      ),
    );
  });

  it('never answers 0, which would hand the message straight back', () => {
    expect(backoffSeconds({ baseSeconds: 5, capSeconds: 60 }, 1, () => 0)).toBe(1);
  });
});
