import { describe, expect, it } from 'vitest';
import { batchDeadline, Deadline, defaultDeadlineMarginMs } from '../../../lambda/worker/deadline.js';

describe('Deadline signal', () => {
  it('is already aborted when first asked for after the deadline passed', () => {
    // Prepare: nothing has looked at the signal before the deadline fires
    const deadline = new Deadline(Number.POSITIVE_INFINITY);

    // Act
    deadline.abort();

    // Assess
    expect(deadline.passed).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toMatchObject({ name: 'DeadlineExceededError' });
  });

  it('aborts a signal handed out before the deadline', () => {
    const deadline = new Deadline(Number.POSITIVE_INFINITY);
    const signal = deadline.signal;

    deadline.abort();

    expect(signal.aborted).toBe(true);
  });
});

describe('batchDeadline', () => {
  it.each([
    [1_000, 200],
    [10_000, 1_000],
    [900_000, 3_000],
  ])('with %i ms left uses a margin of %i ms', (remaining, margin) => {
    expect(defaultDeadlineMarginMs(remaining)).toBe(margin);
  });

  it('lets records start only while twice the margin is left', () => {
    // Prepare: 10 s left, a 3 s margin
    let left = 10_000;
    const { deadline, canStart } = batchDeadline({ getRemainingTimeInMillis: () => left }, 3_000);

    // Act + Assess
    expect(canStart()).toBe(true);
    left = 5_999;
    expect(canStart()).toBe(false);
    deadline.dispose();
  });

  it('has no deadline without a Lambda context', () => {
    const { deadline, canStart } = batchDeadline(undefined);

    expect(canStart()).toBe(true);
    expect(deadline.passed).toBe(false);
    deadline.dispose();
  });
});
