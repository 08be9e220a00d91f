import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LaneTimers } from '../../../lambda/worker/lane-timers.js';

describe('LaneTimers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls once the delay has passed, and only once', () => {
    // Prepare
    const timers = new LaneTimers(1000);
    const call = vi.fn();

    // Act
    timers.start(0, call);
    vi.advanceTimersByTime(999);
    const early = call.mock.calls.length;
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(5000);

    // Assess
    expect(early).toBe(0);
    expect(call).toHaveBeenCalledTimes(1);
    timers.dispose();
  });

  it("gives a lane's next record the whole delay, and forgets the record before it", () => {
    // Prepare: the lane's first record ran 600 ms and stopped; the next starts
    const timers = new LaneTimers(1000);
    const first = vi.fn();
    const second = vi.fn();
    timers.start(0, first);
    vi.advanceTimersByTime(600);
    timers.stop(0);

    // Act
    timers.start(0, second);
    vi.advanceTimersByTime(999);
    const early = second.mock.calls.length;
    vi.advanceTimersByTime(1);

    // Assess
    expect(first).not.toHaveBeenCalled();
    expect(early).toBe(0);
    expect(second).toHaveBeenCalledTimes(1);
    timers.dispose();
  });

  it('restarts a lane whose timer already fired', () => {
    const timers = new LaneTimers(1000);
    const first = vi.fn();
    const second = vi.fn();
    timers.start(0, first);
    vi.advanceTimersByTime(1000);

    timers.start(0, second);
    vi.advanceTimersByTime(1000);

    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    timers.dispose();
  });

  it('does not call a stopped record, and keeps lanes apart', () => {
    const timers = new LaneTimers(1000);
    const stopped = vi.fn();
    const running = vi.fn();
    timers.start(0, stopped);
    timers.start(1, running);

    timers.stop(0);
    vi.advanceTimersByTime(1000);

    expect(stopped).not.toHaveBeenCalled();
    expect(running).toHaveBeenCalledTimes(1);
    timers.dispose();
  });

  it('leaves no timer behind once disposed', () => {
    const timers = new LaneTimers(1000);
    const call = vi.fn();
    timers.start(0, call);
    timers.start(3, call);

    timers.dispose();
    vi.advanceTimersByTime(2000);

    expect(call).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});
