import type { GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../../cli/args.js';
import { EXIT } from '../../../cli/errors.js';
import { main } from '../../../cli/main.js';
import { jobOfInput, nextFiringOf, rowOfSchedule, type ScheduleRow } from '../../../ops/schedules.js';
import { captureIo, fakeTarget } from './fakes.js';

const rows: ScheduleRow[] = [
  {
    name: 'report_nightly',
    jobType: 'report',
    schedule: 'nightly',
    expression: 'cron(0 3 * * ? *)',
    timezone: 'Europe/Paris',
    state: 'ENABLED',
    nextFiring: '2026-11-30T02:00:00Z',
    target: 'Qw-report',
  },
  {
    name: 'Qw-Schedules-Other-1',
    expression: 'rate(1 hour)',
    timezone: 'UTC',
    state: 'DISABLED',
    nextFiring: null,
    target: 'other',
  },
];

async function run(argv: string[], schedules: readonly ScheduleRow[] = rows) {
  const { io, stdout, stderr } = captureIo();
  const target = fakeTarget(() => ({ status: 200, body: {} }), { schedules: async () => schedules });
  const code = await main(argv, io, { resolveTarget: async () => target });
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('qw schedules', () => {
  it('takes no argument and no command flag', () => {
    expect(parseInvocation(['schedules'])).toMatchObject({ kind: 'run', command: { name: 'schedules' } });
    expect(() => parseInvocation(['schedules', 'x'])).toThrow(/schedules takes no arguments/);
    expect(() => parseInvocation(['schedules', '--once'])).toThrow(/schedules takes no --once/);
  });

  it('prints each schedule by type and name, with its expression, timezone, state and next firing', async () => {
    const { code, stdout } = await run(['schedules']);

    expect(code).toBe(EXIT.OK);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('2 schedule(s) in the fake target:');
    expect(lines[2]).toMatch(/^SCHEDULE\s+EXPRESSION\s+TIMEZONE\s+STATE\s+NEXT FIRING \(UTC\)$/);
    expect(lines[3]).toMatch(
      /^report\/nightly\s+cron\(0 3 \* \* \? \*\)\s+Europe\/Paris\s+ENABLED\s+2026-11-30T02:00:00Z$/,
    );
    expect(lines[4]).toMatch(/^Qw-Schedules-Other-1\s+rate\(1 hour\)\s+UTC\s+DISABLED\s+-$/);
  });

  it('prints the rows as JSON with --json, and says so when there are none', async () => {
    expect(JSON.parse((await run(['schedules', '--json'])).stdout)).toEqual({ schedules: rows });
    expect((await run(['schedules'], [])).stdout).toMatch(/^No schedules in the fake target\./);
  });
});

describe("a schedule as Scheduler's API describes it", () => {
  const described = (overrides: Partial<GetScheduleCommandOutput>): GetScheduleCommandOutput => ({
    $metadata: {},
    Name: 'report_often',
    State: 'ENABLED',
    ScheduleExpression: 'rate(15 minutes)',
    CreationDate: new Date('2026-01-01T00:00:10Z'),
    Target: {
      Arn: 'arn:aws:sqs:us-east-1:1:Qw-report',
      RoleArn: 'r',
      Input: '{"jobId":"sched:report:often:<aws.scheduler.scheduled-time>"}',
    },
    ...overrides,
  });

  it('counts a rate from its creation, or its start date, and has no next firing when disabled or ended', () => {
    const now = new Date('2026-01-01T01:00:00Z');
    expect(nextFiringOf(described({}), now)).toBe('2026-01-01T01:00:10Z');
    expect(nextFiringOf(described({ StartDate: new Date('2026-02-01T00:00:00Z') }), now)).toBe('2026-02-01T00:00:00Z');
    expect(nextFiringOf(described({ State: 'DISABLED' }), now)).toBeNull();
    expect(nextFiringOf(described({ EndDate: new Date('2026-01-01T01:00:05Z') }), now)).toBeNull();
  });

  it('reads the job type and schedule from the input, and the target from its ARN', () => {
    expect(rowOfSchedule(described({}), new Date('2026-01-01T00:00:00Z'))).toEqual({
      name: 'report_often',
      jobType: 'report',
      schedule: 'often',
      expression: 'rate(15 minutes)',
      timezone: 'UTC',
      state: 'ENABLED',
      nextFiring: '2026-01-01T00:00:10Z',
      target: 'Qw-report',
    });
    expect(jobOfInput('not json')).toEqual({});
  });
});
