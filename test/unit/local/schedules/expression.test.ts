import { describe, expect, it } from 'vitest';
import {
  cronerPattern,
  nextFiring,
  parseExpression,
  scheduledTimeText,
  type Timing,
} from '../../../../local/core/schedules/expression.js';

const timing = (expression: string, timezone?: string): Timing => {
  const t = parseExpression(expression, timezone);
  if (t.kind === 'unsupported') throw new Error(t.reason);
  return t;
};

/** The first `n` firings after `from`, as Scheduler writes times. */
function firings(expression: string, from: string, n = 3, timezone?: string): string[] {
  const t = timing(expression, timezone);
  const out: string[] = [];
  let after = new Date(from);
  for (let i = 0; i < n; i++) {
    const next = nextFiring(t, after, new Date(from));
    if (!next) break;
    out.push(scheduledTimeText(next));
    after = next;
  }
  return out;
}

describe("AWS's cron, computed with croner", () => {
  it.each([
    ['cron(0 12 ? * 2 *)', ['2026-01-05T12:00:00Z', '2026-01-12T12:00:00Z'], 'weekday 2 is Monday, 1 is Sunday'],
    ['cron(0 12 ? * 6#3 *)', ['2026-01-16T12:00:00Z', '2026-02-20T12:00:00Z'], 'the third Friday'],
    ['cron(0 12 ? * 6L *)', ['2026-01-30T12:00:00Z', '2026-02-27T12:00:00Z'], 'the last Friday'],
    ['cron(0 12 ? * L *)', ['2026-01-03T12:00:00Z', '2026-01-10T12:00:00Z'], "the week's last day, Saturday"],
    ['cron(0 12 L * ? *)', ['2026-01-31T12:00:00Z', '2026-02-28T12:00:00Z'], "the month's last day"],
    ['cron(0 12 15W * ? *)', ['2026-01-15T12:00:00Z', '2026-02-16T12:00:00Z'], 'the weekday nearest the 15th'],
    ['cron(5/20 * * * ? *)', ['2026-01-01T00:05:00Z', '2026-01-01T00:25:00Z'], 'a step from a start'],
    ['cron(0 8 1 * ? 2027)', ['2027-01-01T08:00:00Z', '2027-02-01T08:00:00Z'], 'a year'],
  ])('%s fires at %j (%s)', (expression, expected) => {
    expect(firings(expression, '2026-01-01T00:00:00Z', 2)).toEqual(expected);
  });

  it('reads a cron in its timezone, daylight saving time included', () => {
    // 9:00 in Paris is 8:00 UTC in winter and 7:00 UTC in summer.
    expect(firings('cron(0 9 * * ? *)', '2026-03-28T00:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-28T08:00:00Z',
      '2026-03-29T07:00:00Z',
      '2026-03-30T07:00:00Z',
    ]);
  });

  it('puts a seconds field in front for croner, and reads L alone as Saturday', () => {
    expect(cronerPattern('0 12 ? * L *')).toBe('0 0 12 ? * 7 *');
  });
});

describe('rate and at', () => {
  it('fires a rate at its anchor, then every period', () => {
    const anchor = new Date('2026-01-01T00:00:30Z');
    expect(nextFiring(timing('rate(1 hour)'), new Date('2026-01-01T00:00:00Z'), anchor)).toEqual(anchor);
    expect(nextFiring(timing('rate(1 hour)'), anchor, anchor)?.toISOString()).toBe('2026-01-01T01:00:30.000Z');
    expect(nextFiring(timing('rate(1 hour)'), new Date('2026-01-01T05:10:00Z'), anchor)?.toISOString()).toBe(
      '2026-01-01T06:00:30.000Z',
    );
  });

  it('fires an at() once, at its time in its timezone', () => {
    expect(firings('at(2026-03-01T10:00:00)', '2026-01-01T00:00:00Z', 3, 'Europe/Paris')).toEqual([
      '2026-03-01T09:00:00Z',
    ]);
  });

  it.each([
    ['cron(0 3 * *)', /six fields/],
    ['cron(0 3 L-2 * ? *)', /cron\(0 3 L-2 \* \? \*\):/],
    ['at(2026-13-01T10:00:00)', /at\(2026-13-01T10:00:00\)/],
    ['every day', /is not a rate\(\), cron\(\) or at\(\) expression/],
  ])('says why it cannot run %s', (expression, reason) => {
    const t = parseExpression(expression);
    expect(t.kind === 'unsupported' && t.reason).toMatch(reason);
  });

  it('refuses an unknown timezone', () => {
    const t = parseExpression('cron(0 3 * * ? *)', 'Mars/Olympus');
    expect(t.kind === 'unsupported' && t.reason).toMatch(/Mars\/Olympus/);
  });
});
