import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledJobId } from '../../lambda/jobs/schedules.js';
import { THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { type LocalRuntime, startLocal } from '../../local/index.js';
import { listDeadLetters } from '../../ops/dead-letters.js';
import type { ScheduleRow } from '../../ops/schedules.js';
import { SCHEDULES_STACK } from './fixtures/schedules-app.js';
import { apiClient, captureOutput, waitFor } from './helpers.js';

let runtime: LocalRuntime;
let output: ReturnType<typeof captureOutput>;
let api: ReturnType<typeof apiClient>;
let sqs: SQSClient;

beforeAll(async () => {
  output = captureOutput();
  runtime = await startLocal({
    port: 0,
    app: 'tsx test/integ/fixtures/schedules-app.ts',
    outDir: '.qw/integ-schedules.out',
    stack: SCHEDULES_STACK,
    sources: ['bin', 'lib', 'lambda', 'test/integ/fixtures', 'cdk.json'],
    output,
  });
  api = apiClient(runtime);
  sqs = new SQSClient({
    region: runtime.region,
    endpoint: runtime.sqsEndpoint,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
});

afterAll(async () => {
  sqs?.destroy();
  await runtime?.stop();
});

/** The job id of a schedule's first firing, once the runtime says it fired (a rate fires when it starts). */
async function firstFiring(schedule: string): Promise<string> {
  const state = await waitFor(
    async () => runtime.schedules().find((s) => s.name === `simulate_${schedule}`),
    (s) => s?.lastFiring !== undefined,
    { what: `simulate_${schedule} to fire` },
  );
  return scheduledJobId('simulate', schedule, state?.lastFiring ?? '');
}

describe('schedules on the local runtime', () => {
  it('fires a rate schedule at start, and the worker runs the job it sent straight to the queue', async () => {
    // Act
    const job = await api.settled(await firstFiring('every-minute'));

    // Assess
    expect(job).toMatchObject({ type: 'simulate', status: 'succeeded', attempts: 1 });
    expect(job.jobId).toMatch(/^sched:simulate:every-minute:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('retries a scheduled job that fails, and dead-letters one that fails every attempt: failed and in the DLQ', async () => {
    const flaky = await api.settled(await firstFiring('flaky'));
    const doomedId = await firstFiring('doomed');
    const doomed = await api.settled(doomedId);

    expect(flaky).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(doomed).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'RETRYABLE' } });
    const dlq = await listDeadLetters(sqs, runtime.queueUrl(`${SCHEDULES_STACK}-simulate-dlq`));
    expect(dlq.filter((m) => m.jobId === doomedId)).toHaveLength(1);
  });

  it('does not run a finished firing again when the same firing is delivered twice', async () => {
    const jobId = await firstFiring('every-minute');
    const before = await api.job(jobId);
    const body = JSON.stringify({ jobId, type: 'simulate', payload: {}, createdAt: before.createdAt });
    const queueUrl = runtime.queueUrl(`${SCHEDULES_STACK}-simulate`);

    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await waitFor(
      () =>
        fetch(`${runtime.url}/ui/api/overview`).then(
          (r) => r.json() as Promise<{ queues: { type: string; visible: number; inFlight: number }[] }>,
        ),
      (o) => o.queues.some((q) => q.type === 'simulate' && q.visible === 0 && q.inFlight === 0),
      { what: 'the simulate queue to drain' },
    );

    expect(await api.job(jobId)).toEqual(before);
  });

  it('lists every schedule with its expression, timezone and next firing, for qw schedules', async () => {
    const res = await fetch(`${runtime.url}/ui/api/schedules`);
    const { schedules } = (await res.json()) as { schedules: ScheduleRow[] };

    expect(schedules.map((s) => [s.schedule, s.expression, s.timezone, s.state])).toEqual([
      ['doomed', 'rate(1 minute)', 'UTC', 'ENABLED'],
      ['every-minute', 'rate(1 minute)', 'UTC', 'ENABLED'],
      ['flaky', 'rate(1 minute)', 'UTC', 'ENABLED'],
      ['nightly', 'cron(0 3 * * ? *)', 'Europe/Paris', 'ENABLED'],
    ]);
    // 3:00 in Paris is 2:00 UTC in winter, 1:00 in summer.
    expect(schedules.find((s) => s.schedule === 'nightly')?.nextFiring).toMatch(/T0[12]:00:00Z$/);
    expect(schedules.every((s) => s.jobType === 'simulate' && s.target === `${SCHEDULES_STACK}-simulate`)).toBe(true);
  });

  it('shows each schedule and its next firing in the banner', () => {
    const banner = output.lines.find((l) => l.startsWith('Local runtime for stack')) ?? '';
    expect(banner).toMatch(/simulate_doomed -> queue QwIntegSchedules-simulate on rate\(1 minute\), next \S+Z/);
    expect(banner).toMatch(
      /simulate_nightly -> queue QwIntegSchedules-simulate on cron\(0 3 \* \* \? \*\) Europe\/Paris, next \S+T0[12]:00:00Z/,
    );
  });
});
