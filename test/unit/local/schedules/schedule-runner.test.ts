import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LocalPlan, SchedulerScheduleDef } from '../../../../local/core/plan.js';
import { ScheduleRunner, type ScheduleRunnerDeps } from '../../../../local/core/schedules/schedule-runner.js';

afterEach(() => vi.useRealTimers());

const INPUT =
  '{"jobId":"sched:report:nightly:<aws.scheduler.scheduled-time>","createdAt":"<aws.scheduler.scheduled-time>","run":"<aws.scheduler.execution-id>","try":"<aws.scheduler.attempt-number>","arn":"<aws.scheduler.schedule-arn>"}';

const def = (overrides: Partial<SchedulerScheduleDef> = {}): SchedulerScheduleDef => ({
  logicalId: 'Nightly',
  name: 'report_nightly',
  group: 'jobs',
  arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/jobs/report_nightly',
  expression: 'cron(0 3 * * ? *)',
  timezone: 'UTC',
  enabled: true,
  target: { kind: 'sqs', queueLogicalId: 'Work', queueName: 'work' },
  input: INPUT,
  retry: { maxAttempts: 2, maxAgeSeconds: 3600 },
  deadLetterQueueName: 'work-dlq',
  ...overrides,
});

const planWith = (...schedulerSchedules: SchedulerScheduleDef[]) => ({ schedulerSchedules }) as unknown as LocalPlan;

type Sent = Parameters<ScheduleRunnerDeps['sendMessage']>[0];

function runner(send: (message: Sent) => Promise<void> = async () => undefined) {
  const sent: Sent[] = [];
  const lines: string[] = [];
  const r = new ScheduleRunner({
    invoke: async () => ({ ok: true, payload: null, durationMs: 1 }),
    sendMessage: async (m) => {
      sent.push(m);
      await send(m);
    },
    log: (line) => lines.push(line),
    retryDelayMs: () => 1000,
  });
  return { r, sent, lines };
}

describe('the Scheduler schedule runner', () => {
  it("sends each firing to its queue with Scheduler's placeholders filled in, at the cron's times", async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-01-01T02:59:00Z') });
    const { r, sent } = runner();

    // Act
    r.apply(planWith(def()));
    await vi.advanceTimersByTimeAsync(86_400_000 + 60_000);
    r.stop();

    // Assess
    expect(sent.map((m) => m.queueName)).toEqual(['work', 'work']);
    const bodies = sent.map((m) => JSON.parse(m.body) as Record<string, string>);
    expect(bodies[0]).toEqual({
      jobId: 'sched:report:nightly:2026-01-01T03:00:00Z',
      createdAt: '2026-01-01T03:00:00Z',
      run: expect.stringMatching(/^[0-9a-f]{16}$/),
      try: '1',
      arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/jobs/report_nightly',
    });
    expect(bodies[1]?.jobId).toBe('sched:report:nightly:2026-01-02T03:00:00Z');
  });

  it('starts a rate at once, as Scheduler does, and keeps its timing when a reload leaves it unchanged', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { r, sent } = runner();
    const every = def({ expression: 'rate(10 minutes)' });

    r.apply(planWith(every));
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    r.apply(planWith(every));
    await vi.advanceTimersByTimeAsync(10 * 60_000);

    expect(sent.map((m) => (JSON.parse(m.body) as { createdAt: string }).createdAt)).toEqual([
      '2026-01-01T00:00:00Z',
      '2026-01-01T00:10:00Z',
    ]);
    expect(r.states()).toEqual([
      expect.objectContaining({
        name: 'report_nightly',
        nextFiring: '2026-01-01T00:20:00Z',
        lastFiring: '2026-01-01T00:10:00Z',
      }),
    ]);
    r.stop();
  });

  it('fires an at() once in its timezone, a FIFO target with its group, and never a disabled schedule', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    const { r, sent } = runner();

    r.apply(
      planWith(
        def({
          logicalId: 'Once',
          expression: 'at(2026-01-01T09:00:00)',
          timezone: 'Europe/Paris',
          target: { kind: 'sqs', queueLogicalId: 'F', queueName: 'f.fifo', messageGroupId: 'once' },
        }),
        def({ logicalId: 'Off', expression: 'rate(1 minute)', enabled: false }),
      ),
    );
    await vi.advanceTimersByTimeAsync(2 * 86_400_000);
    r.stop();

    expect(sent).toEqual([expect.objectContaining({ queueName: 'f.fifo', messageGroupId: 'once' })]);
    expect(JSON.parse(sent[0]?.body ?? '').createdAt).toBe('2026-01-01T08:00:00Z');
  });

  it('retries a firing SQS refuses within the retry policy, then sends it to the DLQ with the reason', async () => {
    vi.useFakeTimers({ now: new Date('2026-01-01T02:59:59Z') });
    const refusal = Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' });
    const { r, sent, lines } = runner(async (m) => {
      if (m.queueName === 'work') throw refusal;
    });

    r.apply(planWith(def()));
    await vi.advanceTimersByTimeAsync(10_000);
    r.stop();

    expect(sent.map((m) => [m.queueName, (JSON.parse(m.body) as { try: string }).try])).toEqual([
      ['work', '1'],
      ['work', '2'],
      ['work', '3'],
      ['work-dlq', '3'],
    ]);
    expect(sent[3]?.attributes).toEqual({
      ERROR_CODE: 'AccessDenied',
      ERROR_MESSAGE: 'Access to the resource is denied.',
      RETRY_ATTEMPTS: '2',
    });
    expect(lines.at(-1)).toBe('schedule report_nightly: firing sent to work-dlq after 2 retries.');
  });
});
