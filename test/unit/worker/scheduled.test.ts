import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { type JobSchedule, scheduledMessage } from '../../../lambda/jobs/schedules.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { fillPlaceholders } from '../../../local/core/schedules/schedule-runner.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../helpers/events.js';
import { mockWorkerSqs } from '../../helpers/worker-sqs.js';
import { DLQ_URL, NOW, type TestPayload, workerDeps } from './fixtures.js';

const sqs = mockWorkerSqs();

const FIRING = new Date('2026-11-24T03:00:00.000Z');
const JOB_ID = 'sched:test.job:nightly:2026-11-24T03:00:00Z';

/** The message a firing of a `test.job` schedule puts on the queue, placeholders filled in as Scheduler does. */
function firing(payload: TestPayload, receiveCount = 1, messageId?: string) {
  const schedule: JobSchedule = { name: 'nightly', cron: '0 3 * * ? *', payload };
  const body = fillPlaceholders(JSON.stringify(scheduledMessage('test.job', schedule)), { arn: 'arn:s' }, FIRING, 1);
  return sqsRecord(body, { receiveCount, ...(messageId ? { messageId } : {}) });
}

describe('a job a schedule sent straight to the queue', () => {
  it('runs on first sight and creates its record, with the firing time in its id', async () => {
    // Prepare
    const deps = workerDeps();

    // Act
    const response = await processBatch(sqsEvent([firing({ do: 'ok' })]), deps, lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls.map((c) => c.ctx.jobId)).toEqual([JOB_ID]);
    expect(deps.store.records.get(JOB_ID)).toMatchObject({
      jobId: JOB_ID,
      type: 'test.job',
      status: 'succeeded',
      attempts: 1,
      maxAttempts: 3,
      createdAt: NOW.toISOString(),
      result: { echo: JOB_ID, attempt: 1 },
    });
  });

  it('does not run a firing delivered again once its job finished: the start guard sees a duplicate', async () => {
    const deps = workerDeps();
    await processBatch(sqsEvent([firing({ do: 'ok' })]), deps, lambdaContext());
    const finished = deps.store.records.get(JOB_ID);

    // Scheduler retried the same firing (or SQS delivered it twice): another message, the same scheduled time.
    const response = await processBatch(sqsEvent([firing({ do: 'ok' })]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(1);
    expect(deps.metrics.sum('duplicates')).toBe(1);
    expect(deps.store.records.get(JOB_ID)).toEqual(finished);
  });

  it('keeps its guarantees when it fails: a record from the first attempt, retried, then failed and in the DLQ', async () => {
    const deps = workerDeps({ maxAttempts: 3 });
    const messageId = 'firing-1';

    const statuses: (string | undefined)[] = [];
    for (const receiveCount of [1, 2, 3]) {
      const response = await processBatch(
        sqsEvent([firing({ do: 'retry' }, receiveCount, messageId)]),
        deps,
        lambdaContext(),
      );
      statuses.push(deps.store.records.get(JOB_ID)?.status);
      expect(response.batchItemFailures.length).toBe(receiveCount < 3 ? 1 : 0);
    }

    expect(statuses).toEqual(['retrying', 'retrying', 'failed']);
    expect(deps.store.records.get(JOB_ID)).toMatchObject({ status: 'failed', attempts: 3, type: 'test.job' });
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ QueueUrl: DLQ_URL, MessageAttributes: { jobId: { StringValue: JOB_ID } } });
    expect(JSON.parse(sent[0]?.MessageBody ?? '')).toMatchObject({ jobId: JOB_ID, schedule: { name: 'nightly' } });
  });
});
