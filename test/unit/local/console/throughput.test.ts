import { describe, expect, it } from 'vitest';
import { RATE_WINDOW_SECONDS, Throughput } from '../../../../local/console/throughput.js';

/** A clock the test moves. */
function clock(startSeconds: number) {
  let ms = startSeconds * 1000;
  return { now: () => ms, advance: (seconds: number) => (ms += seconds * 1000) };
}

describe('throughput counted from the pollers', () => {
  it('averages the jobs finished over the last 10 seconds', () => {
    // Prepare
    const time = clock(1_000_000);
    const throughput = new Throughput(time.now);
    // Act
    throughput.record('orders', 30);
    time.advance(5);
    throughput.record('orders', 20);
    throughput.record('orders', 0);
    const recent = throughput.jobsPerSecond('orders');
    time.advance(RATE_WINDOW_SECONDS);
    const later = throughput.jobsPerSecond('orders');
    // Assess
    expect(recent).toBe(5);
    expect(later).toBe(0);
    expect(throughput.jobsPerSecond('unknown')).toBe(0);
  });

  it('buckets each type over the span asked for, oldest first', () => {
    // Prepare
    const time = clock(2_000_000);
    const throughput = new Throughput(time.now);
    throughput.record('orders', 10);
    time.advance(5);
    throughput.record('orders', 5);
    // Act
    const out = throughput.series(
      [
        { type: 'order', queueName: 'orders' },
        { type: 'mail', queueName: 'mails' },
      ],
      1,
      5,
    );
    // Assess
    expect(out.stepSeconds).toBe(5);
    expect(out.series.map((s) => s.type)).toEqual(['order', 'mail']);
    expect(out.series[0]?.points).toHaveLength(12);
    expect(out.series[0]?.points.slice(-2)).toEqual([2, 1]);
    expect(out.series[1]?.points.every((p) => p === 0)).toBe(true);
    expect(Date.parse(out.end) - Date.parse(out.start)).toBe(59_000);
  });
});
