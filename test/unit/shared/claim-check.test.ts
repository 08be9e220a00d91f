import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CLAIM_CHECK_FIELD,
  ClaimCheck,
  claimCheckMarker,
  claimCheckRefOf,
  MAX_INLINE_MESSAGE_BYTES,
  MAX_INLINE_RESULT_BYTES,
} from '../../../lambda/shared/claim-check.js';
import { NonRetryableError, RetryableError } from '../../../lambda/shared/errors.js';
import type { JobMessage } from '../../../lambda/shared/job.js';
import { s3FailureKind } from '../../../lambda/shared/s3-errors.js';
import { uploadKeyProblem } from '../../../lambda/shared/storage.js';
import { testStorage } from '../../helpers/api-deps.js';
import { s3Error } from '../../helpers/s3-errors.js';

const s3 = mockClient(S3Client);
const storage = testStorage();
const check = new ClaimCheck(storage);

const message = (payload: unknown, jobId = 'job-1'): JobMessage => ({
  jobId,
  type: 'webhook.deliver',
  createdAt: '2026-11-24T00:00:00.000Z',
  payload,
});
const bodyOf = (m: JobMessage) => ({ id: m.jobId, body: JSON.stringify(m) });
/** A payload whose message is `bytes` long, give or take the envelope. */
const payloadOf = (bytes: number) => ({ body: 'x'.repeat(bytes) });
const storedObject = (text: string) => ({ Body: { transformToString: async () => text } }) as never;

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('the claim check at send time', () => {
  it('sends a message that fits in one SQS message as it is, storing nothing', async () => {
    // Prepare
    const small = bodyOf(message(payloadOf(MAX_INLINE_MESSAGE_BYTES - 200)));
    // Act
    const { ready, failed } = await check.checkBodies([small]);
    // Assess
    expect(ready).toEqual([small]);
    expect(failed.size).toBe(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('stores a payload over one message under payloads/<jobId> and sends a reference in its place', async () => {
    // Prepare: 2 MB, as the e2e sends
    const payload = payloadOf(2_000_000);
    const big = bodyOf(message(payload, 'job-big'));
    // Act
    const { ready, failed } = await check.checkBodies([big]);
    // Assess
    expect(failed.size).toBe(0);
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Bucket: storage.bucket, Key: 'payloads/job-big', ContentType: 'application/json' });
    expect(JSON.parse(put?.Body as string)).toEqual(payload);
    const sent = JSON.parse(ready[0]?.body ?? '') as JobMessage;
    expect(sent).toEqual({
      ...message(undefined, 'job-big'),
      payload: { [CLAIM_CHECK_FIELD]: { key: 'payloads/job-big', bytes: Buffer.byteLength(JSON.stringify(payload)) } },
    });
    expect(Buffer.byteLength(ready[0]?.body ?? '')).toBeLessThan(300);
  });

  it('reports the messages whose payload could not be stored, and keeps the others in order', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(s3Error('InternalError', 500));
    const small1 = bodyOf(message({}, 'a'));
    const big = bodyOf(message(payloadOf(1_100_000), 'b'));
    const small2 = bodyOf(message({}, 'c'));
    // Act
    const { ready, failed } = await check.checkBodies([small1, big, small2]);
    // Assess
    expect(ready.map((m) => m.id)).toEqual(['a', 'c']);
    expect([...failed]).toEqual(['b']);
  });
});

describe('the claim check in the worker', () => {
  it('reads a stored payload back', async () => {
    // Prepare
    s3.on(GetObjectCommand, { Bucket: storage.bucket, Key: 'payloads/job-1' }).resolves(storedObject('{"n":1}'));
    const m = message(claimCheckMarker('payloads/job-1', 7));
    // Act + Assess
    expect(check.isStoredPayload(m)).toBe(true);
    expect(await check.payloadOf(m)).toEqual({ n: 1 });
  });

  it('passes a payload that carries no reference through, without asking S3', async () => {
    const m = message({ n: 2 });
    expect(check.isStoredPayload(m)).toBe(false);
    expect(await check.payloadOf(m)).toEqual({ n: 2 });
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it("never follows a reference to another job's key", () => {
    // A payload that merely looks like a marker, naming someone else's payload or a thumbnail, is data.
    expect(check.isStoredPayload(message(claimCheckMarker('payloads/job-2', 7)))).toBe(false);
    expect(check.isStoredPayload(message(claimCheckMarker('thumbnails/job-1/128.webp', 7)))).toBe(false);
    expect(claimCheckRefOf({ ...claimCheckMarker('payloads/job-1', 7), other: 1 }, 'payloads/job-1')).toBeUndefined();
  });

  it.each([
    ['S3 throttles', s3Error('SlowDown', 503), RetryableError],
    ['the object expired', s3Error('NoSuchKey', 404), NonRetryableError],
  ])('when %s, fails the read with the matching kind of error', async (_case, error, kind) => {
    s3.on(GetObjectCommand).rejects(error);
    const thrown = await check.payloadOf(message(claimCheckMarker('payloads/job-1', 7))).catch((e) => e);
    expect(thrown).toBeInstanceOf(kind);
  });

  it('keeps a result that fits the job table, and stores a larger one under results/<jobId>', async () => {
    // Prepare
    const small = { n: 1 };
    const large = { pad: 'x'.repeat(MAX_INLINE_RESULT_BYTES) };
    // Act
    const kept = await check.storedResult('job-1', small);
    const stored = await check.storedResult('job-1', large);
    // Assess
    expect(kept).toBe(small);
    expect(stored).toEqual(claimCheckMarker('results/job-1', Buffer.byteLength(JSON.stringify(large))));
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['results/job-1']);
    expect(check.resultRefOf('job-1', stored)).toEqual({ key: 'results/job-1', bytes: expect.any(Number) });
    expect(check.resultRefOf('job-1', kept)).toBeUndefined();
  });
});

describe('S3 failures', () => {
  it.each([
    [s3Error('NoSuchKey', 404), 'read', 'missing'],
    [s3Error('AccessDenied', 403), 'read', 'missing'],
    [s3Error('AccessDenied', 403), 'write', 'refused'],
    [s3Error('SlowDown', 503), 'write', 'retryable'],
    [s3Error('InternalError', 500), 'read', 'retryable'],
    [s3Error('RequestTimeout', 400), 'write', 'retryable'],
    [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'read', 'retryable'],
    [s3Error('InvalidArgument', 400), 'write', 'refused'],
  ] as const)('%o on a %s is %s', (error, operation, kind) => {
    expect(s3FailureKind(error, operation)).toBe(kind);
  });
});

describe('upload keys', () => {
  it.each([
    ['uploads/3f8e2a51', undefined],
    ['uploads/a/b.jpg', undefined],
    ['results/job-1', /start with "uploads\/"/],
    ['uploads/', /no empty/],
    ['uploads/a//b', /no empty/],
    ['uploads/../results/x', /".."/],
    ['uploads/a\nb', /control/],
    [`uploads/${'x'.repeat(1020)}`, /1024 bytes/],
  ])('%j: %s', (key, problem) => {
    const found = uploadKeyProblem(key);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});
