import { afterEach, describe, expect, it, vi } from 'vitest';
import type { InvokeResult } from '../../../local/core/functions/invoke-result.js';
import type { LocalPlan, ScheduleDef } from '../../../local/core/plan.js';
import { ratePeriodMs } from '../../../local/core/schedules/rate.js';
import { RuleScheduler } from '../../../local/core/schedules/scheduler.js';

afterEach(() => vi.useRealTimers());

describe('rate expressions', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 300_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(2 days)', 172_800_000],
  ])('%s fires every %i ms', (expression, ms) => {
    expect(ratePeriodMs(expression)).toBe(ms);
  });

  it.each(['rate(1 minutes)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(5 seconds)', 'cron(0 12 * * ? *)', 'soon'])(
    'refuses %s',
    (expression) => {
      expect(ratePeriodMs(expression)).toBeUndefined();
    },
  );
});

const schedule = (overrides: Partial<ScheduleDef> = {}): ScheduleDef => ({
  logicalId: 'Every',
  ruleArn: 'arn:aws:events:us-east-1:000000000000:rule/Every',
  expression: 'rate(1 minute)',
  enabled: true,
  targets: [{ functionLogicalId: 'Reconciler' }],
  ...overrides,
});

const planWith = (...schedules: ScheduleDef[]) => ({ region: 'eu-west-1', schedules }) as unknown as LocalPlan;

describe('the rule scheduler', () => {
  it("invokes each target every period with EventBridge's scheduled event, and stops when the plan drops the rule", async () => {
    // Prepare
    vi.useFakeTimers();
    const calls: [string, Record<string, unknown>][] = [];
    const ok: InvokeResult = { ok: true, payload: null, durationMs: 1 };
    const scheduler = new RuleScheduler({
      invoke: async (id, event) => {
        calls.push([id, event as Record<string, unknown>]);
        return ok;
      },
      log: () => undefined,
    });

    // Act
    scheduler.apply(planWith(schedule()));
    await vi.advanceTimersByTimeAsync(150_000);
    scheduler.apply(planWith());
    await vi.advanceTimersByTimeAsync(300_000);

    // Assess
    expect(calls).toHaveLength(2);
    expect(calls[0]).toEqual([
      'Reconciler',
      expect.objectContaining({
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        region: 'eu-west-1',
        resources: ['arn:aws:events:us-east-1:000000000000:rule/Every'],
        detail: {},
      }),
    ]);
  });

  it('fires a cron() rule at each of its times, in UTC', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-05T11:59:00Z') });
    const times: string[] = [];
    const scheduler = new RuleScheduler({
      invoke: async (_id, event) => {
        times.push((event as { time: string }).time);
        return { ok: true, payload: null, durationMs: 1 };
      },
      log: () => undefined,
    });

    scheduler.apply(planWith(schedule({ expression: 'cron(0 12 ? * MON,WED *)' })));
    await vi.advanceTimersByTimeAsync(3 * 86_400_000);
    scheduler.stop();

    expect(times).toEqual(['2026-01-05T12:00:00Z', '2026-01-07T12:00:00Z']);
  });

  it('sends a target its constant input, skips disabled rules and says which expressions it cannot run', async () => {
    vi.useFakeTimers();
    const calls: unknown[] = [];
    const lines: string[] = [];
    const scheduler = new RuleScheduler({
      invoke: async (_id, event) => {
        calls.push(event);
        return { ok: false, errorType: 'Boom', errorMessage: 'failed', timedOut: false, durationMs: 1 };
      },
      log: (line) => lines.push(line),
    });

    scheduler.apply(
      planWith(
        schedule({ targets: [{ functionLogicalId: 'F', input: '{"a":1}' }] }),
        schedule({ logicalId: 'Off', enabled: false }),
        schedule({ logicalId: 'Nightly', expression: 'cron(0 2 * *)' }),
      ),
    );
    await vi.advanceTimersByTimeAsync(60_000);
    scheduler.stop();

    expect(calls).toEqual([{ a: 1 }]);
    expect(lines).toEqual([
      'rule Nightly: cron(0 2 * *) is not run locally (only rate() and cron() are).',
      'rule Every: Boom: failed',
    ]);
  });
});
