import { ChangeMessageVisibilityBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { nonRetryable } from '../../../lambda/jobs/define.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { jobRecord, lambdaContext, sqsEvent, sqsRecord } from '../../helpers/events.js';
import { mockWorkerSqs } from '../../helpers/worker-sqs.js';
import { DLQ_URL, failedIds, job, QUEUE_URL, queued, workerDeps } from './fixtures.js';

const sqs = mockWorkerSqs();

/** Every visibility change sent, by receipt handle. */
function visibilities(): Map<string, number> {
  const out = new Map<string, number>();
  for (const call of sqs.commandCalls(ChangeMessageVisibilityBatchCommand)) {
    expect(call.args[0].input.QueueUrl).toBe(QUEUE_URL);
    for (const e of call.args[0].input.Entries ?? []) out.set(e.ReceiptHandle as string, e.VisibilityTimeout as number);
  }
  return out;
}

describe('status', () => {
  it('marks a started job running with attempts equal to its receive count, then succeeded with its result', async () => {
    // Prepare: a type that marks every attempt running at once
    const deps = workerDeps({ markRunningAfterSeconds: 0 });
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 2 });

    // Act
    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls[0]).toMatchObject({ statusWhileRunning: 'running', attemptsWhileRunning: 2 });
    expect(deps.store.records.get('j1')).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      result: { echo: 'j1', attempt: 2 },
    });
    expect(deps.store.records.get('j1')?.error).toBeUndefined();
  });

  it('marks a retryable failure retrying with its error and reports the record', async () => {
    const deps = workerDeps();
    const record = job(deps.store, 'j1', { do: 'retry' }, { receiveCount: 1 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')).toMatchObject({
      status: 'retrying',
      attempts: 1,
      error: { code: 'RETRYABLE', message: 'temporary trouble' },
    });
  });

  it('sends a job that fails its last attempt to the DLQ with its reason, marks it failed and acknowledges it', async () => {
    const deps = workerDeps({ maxAttempts: 3 });
    const record = job(deps.store, 'j1', { do: 'throw-plain' }, { receiveCount: 3 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.store.records.get('j1')).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'TypeError', message: 'boom' },
    });
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ QueueUrl: DLQ_URL, MessageBody: record.body });
    expect(sent?.MessageAttributes).toMatchObject({
      jobId: { StringValue: 'j1' },
      errorCode: { StringValue: 'TypeError' },
      attempt: { StringValue: '3' },
    });
    expect(deps.store.records.get('j1')).not.toHaveProperty('leaseExpiresAt');
  });

  it('keeps a job whose last attempt the DLQ refuses: not failed until its message is there, and it comes back', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('DLQ unavailable'));
    const deps = workerDeps({ maxAttempts: 3 });
    const record = job(deps.store, 'j1', { do: 'throw-plain' }, { receiveCount: 3 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')?.status).toBe('running');
  });

  it('holds a lease while a job runs, about as long as the queue hides its message', async () => {
    const deps = workerDeps({ timeoutSeconds: 30, markRunningAfterSeconds: 0 });
    const record = job(deps.store, 'j1', { do: 'ok' });

    await processBatch(sqsEvent([record]), deps, lambdaContext());

    const start = deps.store.log.find((l) => l.change.to === 'running')?.change;
    expect(start).toMatchObject({ leaseSeconds: 180 });
  });

  it('never moves a succeeded job back: a late duplicate cannot make it running', async () => {
    const deps = workerDeps();
    queued(deps.store, 'j1', 'succeeded', 1);
    const late = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 2 });

    const response = await processBatch(sqsEvent([late]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', attempts: 1 });
    // It was read, found finished, and never written to.
    expect(deps.store.log).toEqual([]);
    expect(deps.calls).toHaveLength(0);
  });
});

describe('writes per attempt', () => {
  it('costs a short first attempt that succeeds one write: succeeded, straight from queued', async () => {
    // Prepare
    const deps = workerDeps();
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 1 });

    // Act
    await processBatch(sqsEvent([record]), deps, lambdaContext());

    // Assess
    expect(deps.calls[0]?.statusWhileRunning).toBe('queued');
    expect(deps.store.log.map((l) => [l.change.to, l.applied])).toEqual([['succeeded', true]]);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', lastMessageId: record.messageId });
  });

  it('marks a job running, with its lease, once it has run for markRunningAfterSeconds, before its outcome', async () => {
    const deps = workerDeps({ markRunningAfterSeconds: 0.05 });
    const record = job(deps.store, 'j1', { do: 'ok', sleepMs: 200 }, { receiveCount: 1 });

    await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(deps.store.log.map((l) => [l.change.to, l.applied])).toEqual([
      ['running', true],
      ['succeeded', true],
    ]);
    expect(deps.store.log[0]?.change).toMatchObject({ leaseSeconds: expect.any(Number) });
  });

  it('times each job of a lane from its own start: two short jobs in a row are not marked running', async () => {
    // Prepare: one lane; each job runs 200 ms, under the 0.3 s threshold, though the two take 400 ms together
    const deps = workerDeps({ markRunningAfterSeconds: 0.3, concurrencyPerBatch: 1 });
    const first = job(deps.store, 'j1', { do: 'ok', sleepMs: 200 }, { receiveCount: 1 });
    const second = job(deps.store, 'j2', { do: 'ok', sleepMs: 200 }, { receiveCount: 1 });

    // Act
    await processBatch(sqsEvent([first, second]), deps, lambdaContext());

    // Assess
    expect(deps.store.log.map((l) => [l.jobId, l.change.to])).toEqual([
      ['j1', 'succeeded'],
      ['j2', 'succeeded'],
    ]);
  });

  it('marks the last attempt running before it runs, so the reconciler can find it if its worker stops', async () => {
    const deps = workerDeps({ maxAttempts: 3 });
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 3 });

    await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(deps.calls[0]).toMatchObject({ statusWhileRunning: 'running', attemptsWhileRunning: 3 });
  });

  it('reopens a redriven failed job by marking it running before it runs', async () => {
    const deps = workerDeps();
    queued(deps.store, 'j1', 'failed', 3, 'm-old');
    const redriven = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 1, messageId: 'm-new' });

    await processBatch(sqsEvent([redriven]), deps, lambdaContext());

    expect(deps.calls[0]?.statusWhileRunning).toBe('running');
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('never runs again a job that failed from this very message, though it was never marked running', async () => {
    // Prepare: a first attempt failed for good (not retryable), and its message is delivered once more
    const deps = workerDeps();
    const record = job(deps.store, 'j1', { do: 'fatal' }, { receiveCount: 1 });
    await processBatch(sqsEvent([record]), deps, lambdaContext());

    // Act
    await processBatch(
      sqsEvent([{ ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } }]),
      deps,
      lambdaContext(),
    );

    // Assess
    expect(deps.calls).toHaveLength(1);
  });
});

describe('duplicate deliveries', () => {
  it.each(['succeeded', 'failed'] as const)(
    'acknowledges a record whose job is already %s without running it',
    async (status) => {
      const deps = workerDeps();
      const duplicate = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 1 });
      queued(deps.store, 'j1', status, 1, duplicate.messageId);

      const response = await processBatch(sqsEvent([duplicate]), deps, lambdaContext());

      expect(response.batchItemFailures).toEqual([]);
      expect(deps.calls).toHaveLength(0);
      expect(deps.store.records.get('j1')?.status).toBe(status);
      expect(deps.metrics.sum('duplicates')).toBe(1);
    },
  );

  it('runs a failed job again for a redriven message, which SQS delivers with a new message id', async () => {
    // Prepare: the job failed on message m-old; the redrive brings it back as a new message
    const deps = workerDeps();
    queued(deps.store, 'j1', 'failed', 3, 'm-old');
    const redriven = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 1, messageId: 'm-new' });
    // Act
    const response = await processBatch(sqsEvent([redriven]), deps, lambdaContext());
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(1);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', attempts: 1, lastMessageId: 'm-new' });
    expect(deps.store.records.get('j1')?.error).toBeUndefined();
  });

  it('acknowledges a stale delivery of an attempt older than the one on record', async () => {
    const deps = workerDeps();
    queued(deps.store, 'j1', 'retrying', 3);
    const stale = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 2 });

    const response = await processBatch(sqsEvent([stale]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(0);
  });
});

describe('backoff', () => {
  it.each([
    [1, 2],
    [2, 4],
    [3, 8],
    [6, 60],
  ])(
    'on attempt %i sets the visibility from the policy: full jitter under a ceiling of %i s',
    async (attempt, ceiling) => {
      // Prepare: base 2 s, cap 60 s; jitter fixed at 0.5 of the ceiling
      const deps = workerDeps({ maxAttempts: 10, backoff: { baseSeconds: 2, capSeconds: 60 } }, { random: () => 0.5 });
      const record = job(deps.store, 'j1', { do: 'retry' }, { receiveCount: attempt });

      await processBatch(sqsEvent([record]), deps, lambdaContext());

      expect(visibilities().get(record.receiptHandle)).toBe(Math.ceil(0.5 * ceiling));
    },
  );

  it('draws from the whole jitter range', async () => {
    const low = workerDeps({ maxAttempts: 10 }, { random: () => 0 });
    const high = workerDeps({ maxAttempts: 10 }, { random: () => 0.999 });
    const a = job(low.store, 'a', { do: 'retry' }, { receiveCount: 4 });
    const b = job(high.store, 'b', { do: 'retry' }, { receiveCount: 4 });

    await processBatch(sqsEvent([a]), low, lambdaContext());
    await processBatch(sqsEvent([b]), high, lambdaContext());

    expect(visibilities().get(a.receiptHandle)).toBe(1);
    expect(visibilities().get(b.receiptHandle)).toBe(16);
  });

  it('changes visibility only for retried records, in calls of at most 10', async () => {
    const deps = workerDeps({ maxAttempts: 10, concurrencyPerBatch: 25 });
    const records = Array.from({ length: 25 }, (_, i) => job(deps.store, `j${i}`, { do: i < 23 ? 'retry' : 'ok' }));

    const response = await processBatch(sqsEvent(records), deps, lambdaContext());

    expect(response.batchItemFailures).toHaveLength(23);
    const calls = sqs.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length).sort()).toEqual([10, 10, 3]);
    expect(visibilities().has(records[24]?.receiptHandle as string)).toBe(false);
  });

  it('still reports the record when SQS refuses the visibility change, so the job is not lost', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(new Error('throttled'));
    const deps = workerDeps();
    const record = job(deps.store, 'j1', { do: 'retry' });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.logger.lines.some((l) => l.message.startsWith('visibility change failed'))).toBe(true);
  });
});

describe('not retryable', () => {
  it('sends a job whose payload fails its schema to the DLQ with the reason, acknowledges it, and fails the job', async () => {
    const deps = workerDeps();
    const record = job(deps.store, 'j1', { do: 'ok', extra: true }, { receiveCount: 1 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(0);
    const sent = sqs.commandCalls(SendMessageCommand);
    expect(sent).toHaveLength(1);
    const input = sent[0]?.args[0].input;
    expect(input?.QueueUrl).toBe(DLQ_URL);
    expect(input?.MessageBody).toBe(record.body);
    expect(input?.MessageAttributes).toMatchObject({
      jobId: { DataType: 'String', StringValue: 'j1' },
      type: { DataType: 'String', StringValue: 'test.job' },
      errorCode: { DataType: 'String', StringValue: 'VALIDATION_ERROR' },
      attempt: { DataType: 'Number', StringValue: '1' },
      sourceMessageId: { StringValue: record.messageId },
    });
    expect(deps.store.records.get('j1')).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'VALIDATION_ERROR' },
    });
  });

  it('sends a job that throws NonRetryableError to the DLQ on its first attempt', async () => {
    const deps = workerDeps({ maxAttempts: 5 });
    const record = job(deps.store, 'j1', { do: 'fatal' }, { receiveCount: 1 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageAttributes?.errorMessage?.StringValue).toBe(
      'will never work',
    );
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'failed', attempts: 1 });
    expect(visibilities().size).toBe(0);
  });

  it('sends a body that is not a job envelope to the DLQ', async () => {
    const deps = workerDeps();
    const record = sqsRecord('not json at all');

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input.MessageBody).toBe('not json at all');
  });

  it('keeps the record when the DLQ refuses it, and marks the job retrying, so nothing is lost', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AccessDenied'));
    const deps = workerDeps();
    const record = job(deps.store, 'j1', { do: 'fatal' }, { receiveCount: 1 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')?.status).toBe('retrying');
  });

  it("sends to a FIFO DLQ with the record's group and a deduplication id", async () => {
    const deps = workerDeps({ fifo: true });
    const fifoDeps = { ...deps, config: { ...deps.config, dlqUrl: `${DLQ_URL}.fifo` } };
    const record = job(
      deps.store,
      'j1',
      { do: 'fatal' },
      { attributes: { ...sqsRecord('x').attributes, MessageGroupId: 'g1' } },
    );

    await processBatch(sqsEvent([record]), fifoDeps, lambdaContext());

    expect(sqs.commandCalls(SendMessageCommand)[0]?.args[0].input).toMatchObject({
      MessageGroupId: 'g1',
      MessageDeduplicationId: record.messageId,
    });
  });
});

describe('deadline', () => {
  it('aborts the job signal before the Lambda timeout and retries the job', async () => {
    // Prepare: 600 ms left, 200 ms margin: the signal fires at about 400 ms
    const deps = workerDeps({}, { config: { ...workerDeps().config, deadlineMarginMs: 200 } });
    const record = job(deps.store, 'j1', { do: 'wait-for-abort' });
    const context = lambdaContext(600);

    // Act
    const response = await processBatch(sqsEvent([record]), deps, context);

    // Assess
    expect(deps.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'retrying', error: { code: 'DEADLINE_EXCEEDED' } });
  });

  it('returns before the Lambda timeout even when a job ignores the signal', async () => {
    const deps = workerDeps({}, { config: { ...workerDeps().config, deadlineMarginMs: 200 } });
    const record = job(deps.store, 'j1', { do: 'ignore-abort' });
    const context = lambdaContext(600);

    const response = await processBatch(sqsEvent([record]), deps, context);

    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(50);
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')?.error?.code).toBe('DEADLINE_EXCEEDED');
  });

  it('does not start records near the deadline: they are reported, visible at once, and keep their status', async () => {
    // Prepare: one lane; the first job runs into the deadline, the others never start
    const deps = workerDeps({ concurrencyPerBatch: 1 }, { config: { ...workerDeps().config, deadlineMarginMs: 200 } });
    const first = job(deps.store, 'j1', { do: 'wait-for-abort' });
    const second = job(deps.store, 'j2', { do: 'ok' }, { receiveCount: 1 });
    const third = job(deps.store, 'j3', { do: 'ok' }, { receiveCount: 2 });
    queued(deps.store, 'j3', 'retrying', 1);

    const response = await processBatch(sqsEvent([first, second, third]), deps, lambdaContext(600));

    expect(failedIds(response)).toEqual([first.messageId, second.messageId, third.messageId].sort());
    expect(deps.calls.map((c) => c.ctx.jobId)).toEqual(['j1']);
    expect(deps.store.records.get('j2')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(deps.store.records.get('j3')).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(deps.store.records.get('j3')?.error).toBeUndefined();
    const v = visibilities();
    expect(v.get(second.receiptHandle)).toBe(0);
    expect(v.get(third.receiptHandle)).toBe(0);
    expect(v.get(first.receiptHandle)).toBeGreaterThanOrEqual(1);
  });

  it('starts nothing when the invocation begins with less than twice the margin left', async () => {
    const deps = workerDeps({}, { config: { ...workerDeps().config, deadlineMarginMs: 1000 } });
    const record = job(deps.store, 'j1', { do: 'ok' });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext(1500));

    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.calls).toHaveLength(0);
    expect(deps.store.records.get('j1')?.status).toBe('queued');
  });

  it('leaves an unstarted record on its last receive as it was: it comes back once more', async () => {
    const deps = workerDeps({ maxAttempts: 3 }, { config: { ...workerDeps().config, deadlineMarginMs: 1000 } });
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 3 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext(1500));

    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')?.status).toBe('queued');
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });
});

describe('a receive beyond the last attempt', () => {
  it('dead-letters a job whose worker stopped during its last attempt, without running it again', async () => {
    // Prepare: attempt 3 of 3 started and its worker died; SQS delivers the message a fourth time
    const deps = workerDeps({ maxAttempts: 3 });
    queued(deps.store, 'j1', 'running', 3);
    const record = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 4 });

    // Act
    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(0);
    expect(deps.store.records.get('j1')).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'DEAD_LETTERED' },
    });
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageAttributes).toMatchObject({ errorCode: { StringValue: 'DEAD_LETTERED' } });
  });

  it('dead-letters it even when the reconciler already marked it failed, so the DLQ holds every failed job', async () => {
    const deps = workerDeps({ maxAttempts: 3 });
    const record = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 4 });
    queued(deps.store, 'j1', 'failed', 3, record.messageId);

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
  });

  it('only acknowledges it when the job succeeded and just its acknowledgement was lost', async () => {
    const deps = workerDeps({ maxAttempts: 3 });
    queued(deps.store, 'j1', 'succeeded', 3);
    const record = jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 4 });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(deps.store.records.get('j1')?.status).toBe('succeeded');
  });
});

describe('concurrency inside a batch', () => {
  it('runs a standard batch concurrently up to concurrencyPerBatch', async () => {
    const deps = workerDeps({ concurrencyPerBatch: 3 });
    const records = Array.from({ length: 10 }, (_, i) => job(deps.store, `j${i}`, { do: 'ok', sleepMs: 10 }));

    const response = await processBatch(sqsEvent(records), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(10);
    expect(deps.concurrency.max).toBe(3);
  });

  it('runs FIFO groups side by side, each in order, and stops a group at its first failure', async () => {
    // Prepare: group a: ok, retry, ok; group b: ok, ok
    const deps = workerDeps({ fifo: true, concurrencyPerBatch: 10 });
    const attrs = (group: string) => ({ attributes: { ...sqsRecord('x').attributes, MessageGroupId: group } });
    const a1 = job(deps.store, 'a1', { do: 'ok', sleepMs: 5 }, attrs('a'));
    const a2 = job(deps.store, 'a2', { do: 'retry' }, attrs('a'));
    const a3 = job(deps.store, 'a3', { do: 'ok' }, attrs('a'));
    const b1 = job(deps.store, 'b1', { do: 'ok', sleepMs: 5 }, attrs('b'));
    const b2 = job(deps.store, 'b2', { do: 'ok' }, attrs('b'));

    // Act
    const response = await processBatch(sqsEvent([a1, b1, a2, b2, a3]), deps, lambdaContext());

    // Assess
    expect(failedIds(response)).toEqual([a2.messageId, a3.messageId].sort());
    const ran = deps.calls.map((c) => c.ctx.jobId);
    expect(ran.filter((id) => id.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(ran.filter((id) => id.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(deps.concurrency.max).toBe(2);
    expect(deps.store.records.get('a3')?.status).toBe('queued');
    expect(visibilities().get(a3.receiptHandle)).toBe(0);
  });

  it('goes on with a FIFO group after a job that was sent to the DLQ', async () => {
    const deps = workerDeps({ fifo: true });
    const attrs = { attributes: { ...sqsRecord('x').attributes, MessageGroupId: 'g' } };
    const fatal = job(deps.store, 'f', { do: 'fatal' }, attrs);
    const next = job(deps.store, 'n', { do: 'ok' }, attrs);

    const response = await processBatch(sqsEvent([fatal, next]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.store.records.get('n')?.status).toBe('succeeded');
  });
});

describe('full-batch failure', () => {
  it('reports every record instead of throwing when all of them fail', async () => {
    const deps = workerDeps();
    const records = Array.from({ length: 4 }, (_, i) => job(deps.store, `j${i}`, { do: 'retry' }));

    const response = await processBatch(sqsEvent(records), deps, lambdaContext());

    expect(failedIds(response)).toEqual(records.map((r) => r.messageId).sort());
  });

  it('reports every record instead of throwing when the status table is down', async () => {
    const deps = workerDeps();
    const records = Array.from({ length: 3 }, (_, i) => job(deps.store, `j${i}`, { do: 'ok' }));
    deps.store.transition = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };
    deps.store.get = async () => {
      throw new Error('ProvisionedThroughputExceededException');
    };

    const response = await processBatch(sqsEvent(records), deps, lambdaContext());

    expect(failedIds(response)).toEqual(records.map((r) => r.messageId).sort());
    expect(deps.calls).toHaveLength(0);
  });

  it('reports every record when the batch itself breaks', async () => {
    const deps = workerDeps();
    const records = [job(deps.store, 'j1', { do: 'ok' }), job(deps.store, 'j2', { do: 'ok' })];
    deps.metrics.publishStoredMetrics = () => {
      throw new Error('metrics exploded');
    };

    const response = await processBatch(sqsEvent(records), deps, lambdaContext());

    expect(failedIds(response)).toEqual(records.map((r) => r.messageId).sort());
  });
});

describe('job author API', () => {
  it('gives the handler jobId, type, attempt, maxAttempts, a signal and a logger bound to the job', async () => {
    const deps = workerDeps({ maxAttempts: 7 });
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 4 });

    await processBatch(sqsEvent([record]), deps, lambdaContext());
    deps.calls[0]?.ctx.logger.info('hello', { jobId: 'spoofed', extra: 1 });

    const ctx = deps.calls[0]?.ctx;
    expect(ctx).toMatchObject({ jobId: 'j1', type: 'test.job', attempt: 4, maxAttempts: 7 });
    expect(ctx?.signal).toBeInstanceOf(AbortSignal);
    expect(deps.logger.lines.at(-1)).toEqual({
      level: 'info',
      message: 'hello',
      extra: { jobId: 'j1', type: 'test.job', attempt: 4, messageId: record.messageId, extra: 1 },
    });
  });

  it('nonRetryable() wraps any error so the job fails at once, keeping the cause', () => {
    const cause = new Error('HTTP 404');
    const error = nonRetryable(cause, 'the account is gone');

    expect(error).toMatchObject({ name: 'NonRetryableError', code: 'NON_RETRYABLE', message: 'the account is gone' });
    expect(error.cause).toBe(cause);
    expect(nonRetryable(error)).toBe(error);
  });
});
