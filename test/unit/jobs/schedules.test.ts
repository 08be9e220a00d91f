import { describe, expect, it } from 'vitest';
import { cronProblem } from '../../../lambda/jobs/cron-syntax.js';
import { jobTypes } from '../../../lambda/jobs/registry.js';
import {
  MAX_SCHEDULE_NAME,
  parseScheduledJobId,
  scheduledJobId,
  scheduleExpression,
  scheduleProblems,
} from '../../../lambda/jobs/schedules.js';
import { MAX_JOB_ID_LENGTH } from '../../../lambda/shared/job.js';
import * as z from '../../../lambda/shared/zod.js';
import { parseExpression } from '../../../local/core/schedules/expression.js';

/** Cron expressions EventBridge Scheduler takes (from its documentation's examples and its syntax). */
const VALID = [
  '0 10 * * ? *',
  '15 12 * * ? *',
  '0 18 ? * MON-FRI *',
  '0 8 1 * ? *',
  '0/15 * * * ? *',
  '0/10 * ? * MON-FRI *',
  '0/5 8-17 ? * MON-FRI *',
  '0 9 ? * 2#1 *',
  '0 12 ? * 6L *',
  '0 12 L * ? *',
  '0 12 LW * ? *',
  '0 12 15W * ? *',
  '30 2 ? * SUN,SAT 2026-2030',
  '0 0 1 JAN,JUL ? *',
  '*/5 * * * ? *',
];

/** Cron expressions it refuses. */
const INVALID: [string, RegExp][] = [
  ['0 10 * * *', /6 fields|five|5 fields|use six/],
  ['0 10 * * * *', /exactly one of day-of-month and day-of-week/],
  ['0 10 ? * ? *', /exactly one of day-of-month and day-of-week/],
  ['60 10 * * ? *', /minutes "60"/],
  ['0 24 * * ? *', /hours "24"/],
  ['0 10 32 * ? *', /day-of-month "32"/],
  ['0 10 ? * 8 *', /day-of-week "8"/],
  ['0 10 ? * 0 *', /day-of-week "0"/],
  ['0 10 * 13 ? *', /month "13"/],
  ['0 10 * * ? 1969', /year "1969"/],
  ['0 10 * FOO ? *', /month "FOO"/],
  ['0/0 10 * * ? *', /minutes "0\/0"/],
  ['? 10 * * ? *', /minutes cannot be "\?"/],
  ['5-1 10 * * ? *', /minutes "5-1"/],
];

describe('cron syntax, as EventBridge Scheduler takes it', () => {
  it.each(VALID)('accepts %s', (cron) => {
    expect(cronProblem(cron)).toBeUndefined();
  });

  it.each(INVALID)('refuses %s, saying what to use instead', (cron, message) => {
    expect(cronProblem(cron)).toMatch(message);
  });

  it.each(VALID)('agrees with the local runtime, which fires %s with croner', (cron) => {
    const timing = parseExpression(`cron(${cron})`);
    expect(timing.kind === 'unsupported' ? timing.reason : timing.kind).toBe('cron');
  });
});

const payload = z.strictObject({ n: z.number() });

describe('schedule checks', () => {
  it('accepts a cron, a rate and an at() schedule whose payloads match the schema', () => {
    expect(
      scheduleProblems({
        name: 'report',
        payload,
        schedules: [
          { name: 'nightly', cron: '0 3 * * ? *', timezone: 'Europe/Paris', payload: { n: 1 } },
          { name: 'often', rate: '15 minutes', payload: { n: 2 } },
          { name: 'launch.day', at: '2030-06-01T09:00:00', timezone: 'America/New_York', payload: { n: 3 } },
        ],
      }),
    ).toEqual([]);
  });

  it.each([
    [{ rate: '0 minutes' }, /rate "0 minutes" must be/],
    [{ rate: '5 seconds' }, /rate "5 seconds" must be/],
    [{ at: '2030-06-01 09:00' }, /at "2030-06-01 09:00" must be a date and time/],
    [{ at: '2030-06-01T24:00:00' }, /must be a date and time/],
    [{ cron: '0 3 * * ? *', rate: '1 hour' }, /exactly one of cron, rate or at \(it has cron and rate\)/],
    [{}, /exactly one of cron, rate or at \(it has none\)/],
  ])('refuses %j', (when, message) => {
    const problems = scheduleProblems({
      name: 'report',
      payload,
      schedules: [{ name: 's', payload: { n: 1 }, ...when } as never],
    });
    expect(problems.join('\n')).toMatch(message);
  });

  it('accepts every registered job type', () => {
    for (const t of jobTypes) {
      expect(scheduleProblems({ name: t.name, payload: t.payload, schedules: t.schedules ?? [] })).toEqual([]);
    }
  });
});

describe('a firing', () => {
  it('writes its expression as Scheduler takes it', () => {
    expect(scheduleExpression({ cron: '0 3 * * ? *' })).toBe('cron(0 3 * * ? *)');
    expect(scheduleExpression({ rate: '1 hour' })).toBe('rate(1 hour)');
    expect(scheduleExpression({ at: '2030-01-01T00:00:00' })).toBe('at(2030-01-01T00:00:00)');
  });

  it('is named by its type, schedule and time, which can be read back', () => {
    const id = scheduledJobId('webhook.deliver', 'nightly', '2026-03-22T18:59:43Z');
    expect(id).toBe('sched:webhook.deliver:nightly:2026-03-22T18:59:43Z');
    expect(parseScheduledJobId(id)).toEqual({
      type: 'webhook.deliver',
      schedule: 'nightly',
      scheduledTime: '2026-03-22T18:59:43Z',
    });
    expect(parseScheduledJobId('8a6f0c1e-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('keeps a job id within the limit with the longest type and schedule names', () => {
    const id = scheduledJobId('t'.repeat(40), 's'.repeat(MAX_SCHEDULE_NAME), '2026-03-22T18:59:43Z');
    expect(id.length).toBeLessThanOrEqual(MAX_JOB_ID_LENGTH);
  });
});
