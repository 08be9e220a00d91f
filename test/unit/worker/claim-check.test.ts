import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ClaimCheck, claimCheckMarker, MAX_INLINE_RESULT_BYTES } from '../../../lambda/shared/claim-check.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { testStorage } from '../../helpers/api-deps.js';
import { lambdaContext, sqsEvent } from '../../helpers/events.js';
import { s3Error } from '../../helpers/s3-errors.js';
import { failedIds, job, workerDeps } from './fixtures.js';

const sqs = mockClient(SQSClient);
const s3 = mockClient(S3Client);
const storage = testStorage();
const stored = (value: unknown) => ({ Body: { transformToString: async () => JSON.stringify(value) } }) as never;

beforeEach(() => {
  sqs.reset();
  s3.reset();
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  s3.on(PutObjectCommand).resolves({});
});

describe('the worker with a claim check', () => {
  it('reads a stored payload back before validating it, so the handler sees the payload itself', async () => {
    // Prepare
    const deps = workerDeps({}, { claimCheck: new ClaimCheck(storage) });
    s3.on(GetObjectCommand, { Key: 'payloads/j1' }).resolves(stored({ do: 'ok' }));
    const record = job(deps.store, 'j1', claimCheckMarker('payloads/j1', 11), { receiveCount: 1 });
    // Act
    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls[0]?.payload).toEqual({ do: 'ok' });
    expect(deps.store.records.get('j1')?.status).toBe('succeeded');
  });

  it('validates the payload it read: a stored payload that does not match goes to the DLQ', async () => {
    const deps = workerDeps({}, { claimCheck: new ClaimCheck(storage) });
    s3.on(GetObjectCommand).resolves(stored({ do: 'dance' }));
    const record = job(deps.store, 'j1', claimCheckMarker('payloads/j1', 14), { receiveCount: 1 });
    await processBatch(sqsEvent([record]), deps, lambdaContext());
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_ERROR' } });
    expect(deps.calls).toHaveLength(0);
  });

  it('retries when S3 does not return the payload, running nothing', async () => {
    // Prepare
    const deps = workerDeps({}, { claimCheck: new ClaimCheck(storage) });
    s3.on(GetObjectCommand).rejects(s3Error('SlowDown', 503));
    const record = job(deps.store, 'j1', claimCheckMarker('payloads/j1', 11), { receiveCount: 1 });
    // Act
    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());
    // Assess
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'retrying', error: { code: 'RETRYABLE' } });
    expect(deps.calls).toHaveLength(0);
  });

  it('fails a job whose stored payload is gone at once, with its reason in the DLQ', async () => {
    const deps = workerDeps({}, { claimCheck: new ClaimCheck(storage) });
    s3.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));
    const record = job(deps.store, 'j1', claimCheckMarker('payloads/j1', 11), { receiveCount: 1 });
    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'failed', error: { code: 'NON_RETRYABLE' } });
    expect(deps.store.records.get('j1')?.error?.message).toMatch(/no longer stored at payloads\/j1/);
  });

  it('stores a result too large for the job table under results/<jobId>, recording a reference', async () => {
    // Prepare: a claim check that stores anything over 10 bytes, and a job whose result is larger.
    const deps = workerDeps({}, { claimCheck: new ClaimCheck(storage, { maxInlineResultBytes: 10 }) });
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 1 });
    // Act
    await processBatch(sqsEvent([record]), deps, lambdaContext());
    // Assess
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put?.Key).toBe('results/j1');
    expect(JSON.parse(put?.Body as string)).toEqual({ echo: 'j1', attempt: 1 });
    expect(deps.store.records.get('j1')).toMatchObject({
      status: 'succeeded',
      result: claimCheckMarker('results/j1', Buffer.byteLength(put?.Body as string)),
    });
  });

  it('keeps the message when the result cannot be stored, so a retry records it', async () => {
    const deps = workerDeps({}, { claimCheck: new ClaimCheck(storage, { maxInlineResultBytes: 10 }) });
    s3.on(PutObjectCommand).rejects(s3Error('InternalError', 500));
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 1 });
    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());
    expect(failedIds(response)).toEqual([record.messageId]);
    expect(deps.store.records.get('j1')?.status).not.toBe('succeeded');
  });

  it(`keeps a result of up to ${MAX_INLINE_RESULT_BYTES} bytes in the job table, storing nothing`, async () => {
    const deps = workerDeps({}, { claimCheck: new ClaimCheck(storage) });
    const record = job(deps.store, 'j1', { do: 'ok' }, { receiveCount: 1 });
    await processBatch(sqsEvent([record]), deps, lambdaContext());
    expect(deps.store.records.get('j1')?.result).toEqual({ echo: 'j1', attempt: 1 });
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});
