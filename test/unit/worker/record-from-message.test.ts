import { describe, expect, it } from 'vitest';
import { processBatch } from '../../../lambda/worker/process.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../helpers/events.js';
import { mockWorkerSqs } from '../../helpers/worker-sqs.js';
import { queued, workerDeps } from './fixtures.js';

mockWorkerSqs();

/** A message as the API sends it: the envelope with the job's origin. */
function apiMessage(jobId: string, requestHash: string, receiveCount = 1) {
  return sqsRecord(
    {
      jobId,
      type: 'test.job',
      payload: { do: 'ok' },
      createdAt: '2026-01-01T00:00:00.000Z',
      requestHash,
      idempotencyKey: `key-${jobId}`,
      callbackUrl: 'https://hooks.example.com/done',
    },
    { receiveCount },
  );
}

describe('a message whose record the API did not write (it stopped between queueing and recording)', () => {
  it.each([
    ['its outcome', 60, undefined],
    ['its running write', 0, 'running'],
  ])(
    'records the job from the message with its first write (%s), runs it once, and keeps the accepted time and key',
    async (_first, markRunningAfterSeconds, statusWhileRunning) => {
      // Prepare: no record at all
      const deps = workerDeps({ markRunningAfterSeconds });
      const record = apiMessage('lost-1', 'h1');

      // Act
      const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

      // Assess: no write more than for a recorded job
      expect(response.batchItemFailures).toEqual([]);
      expect(deps.calls).toHaveLength(1);
      expect(deps.calls[0]?.statusWhileRunning).toBe(statusWhileRunning);
      expect(deps.store.records.get('lost-1')).toMatchObject({
        status: 'succeeded',
        attempts: 1,
        createdAt: '2026-01-01T00:00:00.000Z',
        requestHash: 'h1',
        idempotencyKey: 'key-lost-1',
        callbackUrl: 'https://hooks.example.com/done',
        type: 'test.job',
      });
    },
  );

  it('runs a job the API did record as it always has: the running write stays deferred', async () => {
    // Prepare: the API recorded the job with the same request hash
    const deps = workerDeps({ markRunningAfterSeconds: 60 });
    deps.store.records.set('kept-1', { ...queued(deps.store, 'kept-1'), requestHash: 'h1' });
    const record = apiMessage('kept-1', 'h1');

    // Act
    await processBatch(sqsEvent([record]), deps, lambdaContext());

    // Assess: the handler saw the job still queued: no running write went out before it
    expect(deps.calls[0]).toMatchObject({ statusWhileRunning: 'queued' });
    expect(deps.store.records.get('kept-1')).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('acknowledges without running a message of a request the API refused: its key names another request', async () => {
    // Prepare: the record holds request h2; the message was sent for request h1, which got a 409
    const deps = workerDeps({ markRunningAfterSeconds: 0 });
    deps.store.records.set('taken-1', { ...queued(deps.store, 'taken-1'), requestHash: 'h2' });
    const record = apiMessage('taken-1', 'h1');

    // Act
    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(0);
    expect(deps.store.records.get('taken-1')).toMatchObject({ status: 'queued', requestHash: 'h2' });
  });

  it('runs a duplicate message of an adopted job once: the second delivery finds it finished', async () => {
    // Prepare: the retry with the same key sent the message again before any worker adopted it
    const deps = workerDeps({ markRunningAfterSeconds: 0 });
    const first = apiMessage('twice-1', 'h1');
    const second = apiMessage('twice-1', 'h1');

    // Act
    await processBatch(sqsEvent([first]), deps, lambdaContext());
    const response = await processBatch(sqsEvent([second]), deps, lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toHaveLength(1);
    expect(deps.store.records.get('twice-1')).toMatchObject({ status: 'succeeded', attempts: 1 });
  });
});
