import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../lambda/reconciler/reconcile.js';
import type { JobRecord } from '../../../lambda/shared/job.js';
import { jobEventPublisher } from '../../../lambda/shared/job-events.js';
import { JOB_METRICS } from '../../../lambda/shared/observability.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { jobRecord, lambdaContext, sqsEvent } from '../../helpers/events.js';
import { job, NOW, queued, RecordingLogger, type RecordingMetrics, workerDeps } from './fixtures.js';

// Exactly one terminal event per job: the publisher is told only by the write that won the terminal transition.

const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);

beforeEach(() => {
  sqs.reset();
  events.reset();
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
});
afterEach(() => {
  sqs.reset();
  events.reset();
});

const client = new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

/** A worker whose finished jobs are published as the handler wires it. */
function publishingWorker(queue: Parameters<typeof workerDeps>[0] = {}) {
  const base = workerDeps(queue);
  const metrics: RecordingMetrics = base.metrics;
  const onFinished = jobEventPublisher({
    events: client,
    busName: 'qw-bus',
    logger: base.logger,
    countFailure: () => metrics.addMetric(JOB_METRICS.eventsNotPublished, 'Count', 1),
  });
  return { ...base, onFinished };
}

/** Every event put, as `[detail-type, jobId]`. */
function published(): [string | undefined, string][] {
  return events
    .commandCalls(PutEventsCommand)
    .flatMap((c) => c.args[0].input.Entries ?? [])
    .map((e) => [e.DetailType, JSON.parse(e.Detail ?? '{}').jobId]);
}

describe('terminal job events', () => {
  it('publishes one Job Succeeded for a job whose message is delivered again after it succeeded', async () => {
    const deps = publishingWorker();
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 1 });

    await processBatch(sqsEvent([record]), deps, lambdaContext());
    await processBatch(
      sqsEvent([{ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }]),
      deps,
      lambdaContext(),
    );

    expect(published()).toEqual([['Job Succeeded', 'j1']]);
  });

  it('publishes one Job Succeeded when two deliveries of the job run at once', async () => {
    const deps = publishingWorker();
    const record = job(deps.store, 'j1', { do: 'ok', sleepMs: 5 }, { receiveCount: 1 });

    await Promise.all([
      processBatch(sqsEvent([record]), deps, lambdaContext()),
      processBatch(sqsEvent([{ ...record, messageId: 'other-delivery' }]), deps, lambdaContext()),
    ]);

    expect(deps.calls.length).toBeGreaterThanOrEqual(1);
    expect(published()).toEqual([['Job Succeeded', 'j1']]);
  });

  it('publishes nothing for retries, and one Job Failed once the last attempt is in the DLQ', async () => {
    const deps = publishingWorker({ maxAttempts: 3 });
    queued(deps.store, 'j1');
    const order: string[] = [];
    sqs.on(SendMessageCommand).callsFake(() => {
      order.push('dlq');
      return { MessageId: 'dlq-1' };
    });
    events.on(PutEventsCommand).callsFake(() => {
      order.push('event');
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e' }] };
    });

    for (const receiveCount of [1, 2]) {
      await processBatch(
        sqsEvent([jobRecord('j1', 'test.job', { do: 'retry' }, { receiveCount })]),
        deps,
        lambdaContext(),
      );
    }
    expect(published()).toEqual([]);
    await processBatch(
      sqsEvent([jobRecord('j1', 'test.job', { do: 'retry' }, { receiveCount: 3 })]),
      deps,
      lambdaContext(),
    );

    expect(deps.store.records.get('j1')?.status).toBe('failed');
    expect(published()).toEqual([['Job Failed', 'j1']]);
    expect(order).toEqual(['dlq', 'event']);
  });

  it('publishes one Job Failed when the reconciler failed the job and the worker dead-letters its last receive after', async () => {
    const deps = publishingWorker({ maxAttempts: 3 });
    const nowSeconds = NOW.getTime() / 1000;
    const running: JobRecord = {
      jobId: 'j1',
      type: 'test.job',
      status: 'running',
      attempts: 3,
      maxAttempts: 3,
      createdAt: 'c',
      updatedAt: 'u',
      lastMessageId: 'm1',
      leaseExpiresAt: nowSeconds - 120,
      leaseShard: '3',
    };
    deps.store.records.set('j1', running);
    const reconcilerLog = new RecordingLogger();

    await reconcile({
      store: deps.store,
      logger: reconcilerLog,
      policy: { graceSeconds: 60, stalledAfterSeconds: 300 },
      now: () => NOW,
      onFinished: deps.onFinished,
    });
    // SQS hands the worker the message once more; it dead-letters it, but the job was failed already.
    const response = await processBatch(
      sqsEvent([jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 4 })]),
      deps,
      lambdaContext(),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(published()).toEqual([['Job Failed', 'j1']]);
  });

  it('keeps the job succeeded and acknowledged when PutEvents fails, and counts the event not published', async () => {
    events.on(PutEventsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const deps = publishingWorker();
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 1 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.store.records.get('j1')?.status).toBe('succeeded');
    expect(deps.metrics.sum(JOB_METRICS.eventsNotPublished)).toBe(1);
    expect(deps.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'could not publish the job event; the job is unaffected' }),
    );
  });
});
