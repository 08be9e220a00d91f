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

describe('Deadline race', () => {
  const never = new Promise<never>(() => undefined);

  it('settles as the job does before the deadline', async () => {
    const deadline = new Deadline(Number.POSITIVE_INFINITY);

    await expect(deadline.race(Promise.resolve('done'), 0)).resolves.toBe('done');
    await expect(deadline.race(Promise.reject(new Error('job failed')), 1)).rejects.toThrow('job failed');
  });

  it('stops waiting in every lane when the deadline passes', async () => {
    // Prepare: three lanes, each waiting for a job that never ends
    const deadline = new Deadline(Number.POSITIVE_INFINITY);
    const races = [0, 1, 2].map((lane) => deadline.race(never, lane));

    // Act
    deadline.abort();

    // Assess
    for (const race of races) await expect(race).rejects.toMatchObject({ name: 'DeadlineExceededError' });
  });

  it('stops waiting in a lane even when a lane before it never ran a handler', async () => {
    // Prepare: lane 0 only had records that never reach a handler (duplicates, invalid envelopes); lane 1 waits
    const deadline = new Deadline(Number.POSITIVE_INFINITY);
    const waiting = deadline.race(never, 1);

    // Act
    deadline.abort();

    // Assess
    await expect(waiting).rejects.toMatchObject({ name: 'DeadlineExceededError' });
  });

  it("cuts off a lane's later job after its earlier one finished", async () => {
    // Prepare: lane 0 finished one job and waits for the next
    const deadline = new Deadline(Number.POSITIVE_INFINITY);
    await expect(deadline.race(Promise.resolve('first'), 0)).resolves.toBe('first');
    const second = deadline.race(never, 0);

    // Act
    deadline.abort();

    // Assess
    await expect(second).rejects.toMatchObject({ name: 'DeadlineExceededError' });
  });

  it('fires by itself when its time comes, and refuses a race after that', async () => {
    const deadline = new Deadline(5);

    await expect(deadline.race(never, 0)).rejects.toMatchObject({ name: 'DeadlineExceededError' });
    await expect(deadline.race(Promise.resolve('late'), 0)).rejects.toMatchObject({ name: 'DeadlineExceededError' });
    deadline.dispose();
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
