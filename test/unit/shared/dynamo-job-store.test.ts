import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../lambda/shared/job.js';
import { DynamoJobStore, type TransitionContext } from '../../../lambda/shared/job-store.js';
import { type JobsTable, startJobsTable } from '../../helpers/dynalite-table.js';

const ctx: TransitionContext = { type: 'simulate', maxAttempts: 3 };
const now = new Date('2026-11-24T00:00:00Z');
const record = (jobId: string, extra: Partial<JobRecord> = {}): JobRecord => ({
  jobId,
  type: 'simulate',
  status: 'queued',
  attempts: 0,
  maxAttempts: 3,
  createdAt: 'c',
  updatedAt: 'u',
  requestHash: 'h1',
  ...extra,
});

/** The store against a real (in-process) DynamoDB implementation, so the conditions themselves are tested. */
describe('DynamoJobStore on dynalite', () => {
  let table: JobsTable;
  let store: DynamoJobStore;

  beforeAll(async () => {
    table = await startJobsTable();
    store = new DynamoJobStore({ doc: table.doc, tableName: table.tableName, retentionDays: 30, now: () => now });
  });
  afterAll(() => table.close());

  it('creates a record once and returns the existing one on a second create', async () => {
    expect(await store.create(record('a'))).toEqual({ created: true });
    const again = await store.create(record('a', { requestHash: 'other' }));
    expect(again).toMatchObject({ created: false, existing: { jobId: 'a', requestHash: 'h1' } });
  });

  it('moves a job forward and never back: a late duplicate cannot undo succeeded', async () => {
    await store.create(record('b'));
    expect(await store.transition('b', { to: 'running', attempt: 1, messageId: 'm1' }, ctx)).toBe(true);
    expect(await store.transition('b', { to: 'succeeded', attempt: 1, result: { ok: 1 } }, ctx)).toBe(true);
    expect(await store.transition('b', { to: 'running', attempt: 2, messageId: 'm2' }, ctx)).toBe(false);
    expect(await store.get('b')).toMatchObject({
      status: 'succeeded',
      attempts: 1,
      result: { ok: 1 },
      expiresAt: expect.any(Number),
    });
  });

  it('refuses a stale attempt older than the one on record', async () => {
    await store.create(record('c'));
    await store.transition('c', { to: 'running', attempt: 3, messageId: 'm1' }, ctx);
    expect(await store.transition('c', { to: 'retrying', attempt: 2, error: { code: 'E', message: 'm' } }, ctx)).toBe(
      false,
    );
  });

  it('runs a failed job again only for a different message (a redrive), and clears its TTL and error', async () => {
    await store.create(record('d'));
    await store.transition('d', { to: 'running', attempt: 3, messageId: 'm1' }, ctx);
    await store.transition('d', { to: 'failed', attempt: 3, error: { code: 'E', message: 'boom' } }, ctx);
    expect(await store.transition('d', { to: 'running', attempt: 3, messageId: 'm1' }, ctx)).toBe(false);
    expect(await store.transition('d', { to: 'running', attempt: 1, messageId: 'm9' }, ctx)).toBe(true);
    const after = await store.get('d');
    expect(after).toMatchObject({ status: 'running', attempts: 1, lastMessageId: 'm9' });
    expect(after?.error).toBeUndefined();
    expect(after?.expiresAt).toBeUndefined();
  });

  it('creates the record on first sight of a job sent straight to the queue', async () => {
    expect(await store.transition('e', { to: 'running', attempt: 1, messageId: 'm1' }, ctx)).toBe(true);
    expect(await store.get('e')).toMatchObject({
      type: 'simulate',
      maxAttempts: 3,
      status: 'running',
      createdAt: now.toISOString(),
    });
  });

  it('reopens only a failed job as queued, with attempts back to 0', async () => {
    await store.create(record('f', { status: 'failed', attempts: 0, error: { code: 'ENQUEUE_FAILED', message: 'x' } }));
    expect(await store.transition('f', { to: 'queued', from: 'failed' }, ctx)).toBe(true);
    expect(await store.transition('f', { to: 'queued', from: 'failed' }, ctx)).toBe(false);
    expect(await store.get('f')).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('puts a requeued job back to failed, with its attempts and error, only while it is still queued', async () => {
    await store.create(record('h', { status: 'failed', attempts: 3, error: { code: 'E', message: 'boom' } }));
    await store.transition('h', { to: 'queued', from: 'failed' }, ctx);
    const undo = { to: 'failed', from: 'queued', attempt: 3, error: { code: 'E', message: 'boom' } } as const;
    expect(await store.transition('h', undo, ctx)).toBe(true);
    expect(await store.get('h')).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'E' },
      expiresAt: expect.any(Number),
    });
    await store.transition('h', { to: 'queued', from: 'failed' }, ctx);
    await store.transition('h', { to: 'running', attempt: 1, messageId: 'm2' }, ctx);
    expect(await store.transition('h', undo, ctx)).toBe(false);
  });

  it("creates a job's missing record from its message's origin, keeping the accepted time", async () => {
    // Prepare: the API queued the job and stopped before it wrote the record
    const origin = { createdAt: '2026-01-01T00:00:00.000Z', requestHash: 'h1', idempotencyKey: 'k1' };
    // Act
    const won = await store.transition('adopted', { to: 'running', attempt: 1, messageId: 'm1' }, { ...ctx, origin });
    // Assess
    expect(won).toBe(true);
    expect(await store.get('adopted')).toMatchObject({
      status: 'running',
      attempts: 1,
      createdAt: origin.createdAt,
      requestHash: 'h1',
      idempotencyKey: 'k1',
    });
  });

  it('refuses a write for a message of another request than the record holds', async () => {
    // Prepare: a record of request h2 under the id
    await store.create(record('taken', { requestHash: 'h2' }));
    const origin = { createdAt: '2026-01-01T00:00:00.000Z', requestHash: 'h1' };
    // Act
    const won = await store.transition('taken', { to: 'succeeded', attempt: 1, result: 1 }, { ...ctx, origin });
    // Assess
    expect(won).toBe(false);
    expect(await store.get('taken')).toMatchObject({ status: 'queued', requestHash: 'h2' });
  });
});

describe('DynamoJobStore.create on AWS', () => {
  it('decodes the existing item DynamoDB returns in wire form with a failed condition', async () => {
    // Prepare: AWS answers ReturnValuesOnConditionCheckFailure with the raw item, which the document client does not unmarshall
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    mock.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
        Item: marshall(record('g', { status: 'running', attempts: 1 })),
      }),
    );
    // Act
    const outcome = await new DynamoJobStore({ doc, tableName: 'jobs', retentionDays: 30 }).create(record('g'));
    // Assess
    expect(outcome).toEqual({ created: false, existing: record('g', { status: 'running', attempts: 1 }) });
    mock.restore();
  });
});
