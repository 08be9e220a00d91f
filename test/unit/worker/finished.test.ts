import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { FinishedJob } from '../../../lambda/shared/job-finished.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { lambdaContext, sqsEvent } from '../../helpers/events.js';
import { mockWorkerSqs } from '../../helpers/worker-sqs.js';
import { job, NOW, queued, workerDeps } from './fixtures.js';

const sqs = mockWorkerSqs();

function listening() {
  const told: FinishedJob[] = [];
  return { told, onFinished: async (finished: FinishedJob) => void told.push(finished) };
}

describe('announcing finished jobs', () => {
  it('tells the listener once of a job that succeeded, with its result and the record it read', async () => {
    const { told, onFinished } = listening();
    const deps = workerDeps({}, { onFinished });
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 1 });

    await processBatch(sqsEvent([record]), deps, lambdaContext());
    // The same message delivered again: a duplicate, not a second announcement.
    await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(told).toEqual([
      expect.objectContaining({
        jobId: 'j1',
        type: 'test.job',
        status: 'succeeded',
        attempts: 1,
        result: { echo: 'j1', attempt: 1 },
        finishedAt: NOW.toISOString(),
        record: expect.objectContaining({ jobId: 'j1', status: 'queued' }),
      }),
    ]);
  });

  it('tells of a job that failed for good only once it is in the DLQ, and never of a retry', async () => {
    const { told, onFinished } = listening();
    const deps = workerDeps({ maxAttempts: 2 }, { onFinished });
    queued(deps.store, 'j1');

    await processBatch(sqsEvent([job(deps.store, 'j1', { do: 'retry' }, { receiveCount: 1 })]), deps, lambdaContext());
    expect(told).toEqual([]);
    await processBatch(sqsEvent([job(deps.store, 'j1', { do: 'retry' }, { receiveCount: 2 })]), deps, lambdaContext());

    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    expect(told).toEqual([
      expect.objectContaining({
        jobId: 'j1',
        status: 'failed',
        attempts: 2,
        error: expect.objectContaining({ code: 'RETRYABLE' }),
      }),
    ]);
  });

  it('keeps the outcome when the listener fails, and logs it', async () => {
    const deps = workerDeps(
      {},
      {
        onFinished: async () => {
          throw new Error('bus down');
        },
      },
    );
    const record = job(deps.store, 'j1', { do: 'ok' });

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.store.records.get('j1')?.status).toBe('succeeded');
    expect(deps.logger.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'could not announce the finished job' }),
    );
  });
});
