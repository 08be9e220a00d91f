import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../lambda/shared/job.js';
import { DynamoJobStore } from '../../../lambda/shared/job-store.js';
import {
  applyTransition,
  TRANSITIONS,
  type Transition,
  transitionName,
  type WriteStamp,
} from '../../../lambda/shared/transitions.js';
import { type JobsTable, startJobsTable } from '../../helpers/dynalite-table.js';

const NOW = new Date('2026-11-24T00:00:00Z');
const stamp: WriteStamp = {
  now: NOW.toISOString(),
  epochSeconds: Math.floor(NOW.getTime() / 1000),
  expiresAt: Math.floor(NOW.getTime() / 1000) + 30 * 86_400,
};
const nowSeconds = stamp.epochSeconds;
const context = { type: 'simulate', maxAttempts: 3 };
const error = { code: 'E', message: 'boom' };

const job = (status: JobRecord['status'], attempts: number, extra: Partial<JobRecord> = {}): JobRecord => ({
  jobId: 'job',
  type: 'simulate',
  status,
  attempts,
  maxAttempts: 3,
  createdAt: 'c',
  updatedAt: 'u',
  ...extra,
});

/** Records a write can find: none, each live status, and the finished ones with the message they ended on. */
const CURRENT: Record<string, JobRecord | undefined> = {
  none: undefined,
  queued: job('queued', 0),
  'running 1 (m1)': job('running', 1, { lastMessageId: 'm1' }),
  'running 3, lease ended': job('running', 3, { lastMessageId: 'm1', leaseExpiresAt: nowSeconds - 1, leaseShard: '4' }),
  'running 3, lease held': job('running', 3, { lastMessageId: 'm1', leaseExpiresAt: nowSeconds + 60, leaseShard: '4' }),
  'retrying 2': job('retrying', 2, { lastMessageId: 'm1', error }),
  'succeeded 1 (m1)': job('succeeded', 1, { lastMessageId: 'm1', result: { ok: true }, expiresAt: 1 }),
  'failed 3 (m1)': job('failed', 3, { lastMessageId: 'm1', error, expiresAt: 1 }),
  'failed 0 (enqueue)': job('failed', 0, { error: { code: 'ENQUEUE_FAILED', message: 'x' }, expiresAt: 1 }),
  'running 2, cancel requested': job('running', 2, { lastMessageId: 'm1', cancelRequested: true, progress: 40 }),
  cancelled: job('cancelled', 1, { lastMessageId: 'm1', expiresAt: 1 }),
  'queued (request h1)': job('queued', 0, { requestHash: 'h1', idempotencyKey: 'k1' }),
  'queued (request h2)': job('queued', 0, { requestHash: 'h2', idempotencyKey: 'k1' }),
};

/** One change of every row, at attempts below, at and above the records'. */
const CHANGES: Transition[] = [
  { to: 'running', attempt: 1, messageId: 'm1' },
  { to: 'running', attempt: 2, messageId: 'm1' },
  { to: 'running', attempt: 1, messageId: 'm9' },
  { to: 'running', attempt: 3, messageId: 'm2', leaseSeconds: 180 },
  { to: 'retrying', attempt: 1, error },
  { to: 'retrying', attempt: 3, error },
  { to: 'succeeded', attempt: 1, result: { n: 1 } },
  { to: 'succeeded', attempt: 3, result: null },
  { to: 'failed', attempt: 2, error },
  { to: 'failed', from: 'running', attempt: 3, error },
  { to: 'failed', from: 'running', attempt: 2, error },
  { to: 'queued', from: 'failed' },
  { to: 'failed', from: 'queued', attempt: 3, error },
  { to: 'failed', from: 'queued', attempt: 0 },
  { to: 'cancelled' },
  { to: 'running', requestCancel: true },
  { to: 'cancelled', from: 'running', attempt: 2 },
  { to: 'running', attempt: 2, messageId: 'm3', progress: { step: 'resize' } },
];

/** What a message the API sent tells a write that may create the record: the job's origin. */
const fromApi = { ...context, origin: { createdAt: 'a', requestHash: 'h1', idempotencyKey: 'k1', callbackUrl: 'u' } };

describe('the transition table', () => {
  it('has a row for every change, each moving to the status the change names', () => {
    for (const change of CHANGES) expect(TRANSITIONS[transitionName(change)].status).toBe(change.to);
  });

  it.each([
    ['a duplicate of a finished job', CURRENT['succeeded 1 (m1)'], CHANGES[0]],
    ['a stale attempt', CURRENT['retrying 2'], CHANGES[4]],
    ['a late delivery of the message a job failed on', CURRENT['failed 3 (m1)'], CHANGES[0]],
    ['a requeue of a job that is not failed', CURRENT.queued, CHANGES[11]],
    ['a restore of a job that left queued', CURRENT['running 1 (m1)'], CHANGES[12]],
    ['a requeue of a job that does not exist', undefined, CHANGES[11]],
    ['an expiry while the lease is held', CURRENT['running 3, lease held'], CHANGES[9]],
    ['an expiry of another attempt', CURRENT['running 3, lease ended'], CHANGES[10]],
  ])('refuses %s', (_what, current, change) => {
    expect(applyTransition('job', change as Transition, current, context, stamp)).toBeUndefined();
  });

  it.each([
    ['start', CHANGES[0]],
    ['success', CHANGES[6]],
    ['retry', CHANGES[4]],
    ['failure', CHANGES[8]],
  ])(
    'refuses a %s for a message of another request than the record holds (the API refused it with a 409)',
    (_what, change) => {
      expect(
        applyTransition('job', change as Transition, CURRENT['queued (request h2)'], fromApi, stamp),
      ).toBeUndefined();
    },
  );

  it.each([
    ['a cancel of a running job (it is asked to stop instead)', CURRENT['running 1 (m1)'], CHANGES[14]],
    ['a cancel of a finished job', CURRENT['succeeded 1 (m1)'], CHANGES[14]],
    ['a request to stop a job that is not running', CURRENT.queued, CHANGES[15]],
    ['a cancelled end of another attempt', CURRENT['running 1 (m1)'], CHANGES[16]],
    ['any attempt of a cancelled job', CURRENT.cancelled, CHANGES[1]],
    ['a result for a cancelled job', CURRENT.cancelled, CHANGES[6]],
  ])('refuses %s', (_what, current, change) => {
    expect(applyTransition('job', change as Transition, current, context, stamp)).toBeUndefined();
  });

  it("creates a record the API did not write from the message's origin, with whichever write comes first", () => {
    for (const change of [CHANGES[0], CHANGES[6]] as Transition[]) {
      const next = applyTransition('job', change, undefined, fromApi, stamp);
      expect(next).toMatchObject({
        status: change.to,
        attempts: 1,
        createdAt: 'a',
        requestHash: 'h1',
        idempotencyKey: 'k1',
        callbackUrl: 'u',
        type: 'simulate',
        maxAttempts: 3,
      });
    }
  });

  it("keeps what the API's record holds: the origin only fills in what a record lacks", () => {
    const next = applyTransition('job', CHANGES[0] as Transition, CURRENT['queued (request h1)'], fromApi, stamp);
    expect(next).toMatchObject({ status: 'running', createdAt: 'c', requestHash: 'h1', idempotencyKey: 'k1' });
    expect(next).toHaveProperty('callbackUrl', 'u');
  });

  it('cancels a waiting job for good, with a TTL, and keeps nothing of a retry', () => {
    for (const current of [CURRENT.queued, CURRENT['retrying 2']]) {
      const next = applyTransition('job', CHANGES[14] as Transition, current, context, stamp);
      expect(next).toMatchObject({ status: 'cancelled', expiresAt: stamp.expiresAt });
      expect(next).not.toHaveProperty('error');
    }
  });

  it('asks a running job to stop without changing its status, and ends it cancelled when it stops', () => {
    const asked = applyTransition('job', CHANGES[15] as Transition, CURRENT['running 1 (m1)'], context, stamp);
    expect(asked).toMatchObject({ status: 'running', attempts: 1, cancelRequested: true });
    const ended = applyTransition(
      'job',
      CHANGES[16] as Transition,
      CURRENT['running 2, cancel requested'],
      context,
      stamp,
    );
    expect(ended).toMatchObject({ status: 'cancelled', attempts: 2, progress: 40 });
    expect(ended).not.toHaveProperty('cancelRequested');
  });

  it("drops a request to stop when the job finishes anyway, and an attempt's progress when it will retry", () => {
    const done = applyTransition(
      'job',
      CHANGES[7] as Transition,
      CURRENT['running 2, cancel requested'],
      context,
      stamp,
    );
    expect(done).toMatchObject({ status: 'succeeded' });
    expect(done).not.toHaveProperty('cancelRequested');
    const retry = applyTransition(
      'job',
      CHANGES[5] as Transition,
      CURRENT['running 2, cancel requested'],
      context,
      stamp,
    );
    expect(retry).not.toHaveProperty('progress');
  });

  it('takes a lease when an attempt starts, in the index partition of the job id', () => {
    const next = applyTransition('job', CHANGES[3] as Transition, CURRENT.queued, context, stamp);
    expect(next).toMatchObject({ status: 'running', leaseExpiresAt: nowSeconds + 180, leaseShard: expect.any(String) });
  });

  it('fails a job whose last lease ended and drops the lease, which takes it out of the index', () => {
    const next = applyTransition('job', CHANGES[9] as Transition, CURRENT['running 3, lease ended'], context, stamp);
    expect(next).toMatchObject({ status: 'failed', attempts: 3, error, expiresAt: stamp.expiresAt });
    expect(next).not.toHaveProperty('leaseExpiresAt');
    expect(next).not.toHaveProperty('leaseShard');
  });

  it('runs a failed job again for a new message (a redrive), clearing its error and TTL', () => {
    const next = applyTransition('job', CHANGES[2] as Transition, CURRENT['failed 3 (m1)'], context, stamp);
    expect(next).toMatchObject({ status: 'running', attempts: 1, lastMessageId: 'm9', updatedAt: stamp.now });
    expect(next).not.toHaveProperty('error');
    expect(next).not.toHaveProperty('expiresAt');
  });
});

/** The same table applied by DynamoDB's conditional writes (on dynalite) and in memory must agree everywhere. */
describe('DynamoJobStore and the in-memory rule agree', () => {
  let table: JobsTable;
  let doc: DynamoDBDocumentClient;
  let store: DynamoJobStore;

  beforeAll(async () => {
    table = await startJobsTable();
    doc = table.doc;
    store = new DynamoJobStore({ doc, tableName: table.tableName, retentionDays: 30, now: () => NOW });
  });
  afterAll(() => table.close());

  const contexts = { 'no origin': context, 'an origin': fromApi };
  const cases = Object.entries(contexts).flatMap(([origin, writeContext]) =>
    Object.entries(CURRENT).flatMap(([name, current]) =>
      CHANGES.map((change) => ({
        name,
        current,
        change,
        writeContext,
        label: `${name} + ${JSON.stringify(change)} with ${origin}`,
      })),
    ),
  );

  it.each(cases)('$label', async ({ current, change, writeContext }) => {
    // Prepare
    await doc.send(new DeleteCommand({ TableName: 'jobs', Key: { jobId: 'job' } }));
    if (current) await doc.send(new PutCommand({ TableName: 'jobs', Item: current }));
    const expected = applyTransition('job', change, current, writeContext, stamp);

    // Act
    const applied = await store.transition('job', change, writeContext);

    // Assess
    expect(applied).toBe(expected !== undefined);
    expect(await store.get('job')).toEqual(expected ?? current);
  });
});
