import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_VIEW_RESULT_BYTES } from '../../../lambda/api/job-view.js';
import { CLAIM_CHECK_FIELD, claimCheckMarker } from '../../../lambda/shared/claim-check.js';
import type { JobRecord } from '../../../lambda/shared/job.js';
import { callRoute, memoryApiDeps, TEST_BUCKET } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';
import { s3Error } from '../../helpers/s3-errors.js';

const s3 = mockClient(S3Client);

const call = callRoute;

const uploads = (body: unknown) => apiEvent({ method: 'POST', resource: '/uploads', path: '/uploads', body });
const jobs = (body: unknown) => apiEvent({ method: 'POST', resource: '/jobs', path: '/jobs', body });
const batch = (items: unknown[]) =>
  apiEvent({ method: 'POST', resource: '/jobs/batch', path: '/jobs/batch', body: { jobs: items } });
const get = (jobId: string) =>
  apiEvent({ method: 'GET', resource: '/jobs/{jobId}', path: `/jobs/${jobId}`, pathParameters: { jobId } });

/** The policy of a presigned POST, decoded. */
const policyOf = (fields: Record<string, string>) =>
  JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as {
    expiration: string;
    conditions: unknown[];
  };

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
  s3.on(HeadObjectCommand).resolves({ ContentLength: 100 });
});

describe('POST /uploads', () => {
  it('answers 201 with a presigned POST for uploads/<uploadId> that allows exactly the declared type and size', async () => {
    // Act
    const res = await call(memoryApiDeps(), uploads({ contentType: 'image/png', contentLength: 12_345 }));
    // Assess
    expect(res.status).toBe(201);
    const { uploadId, key, url, fields, expiresAt } = res.body;
    expect(key).toBe(`uploads/${uploadId}`);
    expect(url).toBe(`http://127.0.0.1:9/${TEST_BUCKET}`);
    expect(fields).toMatchObject({ key, 'Content-Type': 'image/png', bucket: TEST_BUCKET });
    const policy = policyOf(fields);
    expect(policy.expiration).toBe(expiresAt);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(890_000);
    expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 12_345, 12_345],
        ['eq', '$Content-Type', 'image/png'],
        { bucket: TEST_BUCKET },
        { key },
      ]),
    );
  });

  it('refuses a content type it does not take with a 400 that lists the ones it does', async () => {
    const res = await call(memoryApiDeps(), uploads({ contentType: 'application/pdf', contentLength: 10 }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toMatch(/image\/jpeg.*image\/png.*image\/webp/);
  });

  it('refuses a file over the limit with a 400 that names the limit', async () => {
    const res = await call(memoryApiDeps(), uploads({ contentType: 'image/jpeg', contentLength: 30_000_000 }));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('contentLength is 30000000 bytes; the limit is 26214400 bytes (25 MiB).');
  });

  it.each([0, -1, 1.5, '12'])('refuses a contentLength of %j', async (contentLength) => {
    const res = await call(memoryApiDeps(), uploads({ contentType: 'image/jpeg', contentLength }));
    expect(res.status).toBe(400);
  });
});

describe('POST /jobs with an upload', () => {
  const image = (key: string) => ({ type: 'image.thumbnail', payload: { key } });

  it('accepts a job whose upload exists, after asking S3 for it', async () => {
    const deps = memoryApiDeps();
    const res = await call(deps, jobs(image('uploads/abc')));
    expect(res.status).toBe(202);
    expect(s3.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({ Bucket: TEST_BUCKET, Key: 'uploads/abc' });
  });

  it.each([
    ['is outside uploads/', 'thumbnails/x/128.webp', undefined],
    ['does not exist', 'uploads/never-made', s3Error('NotFound', 404)],
  ])('answers 422 UPLOAD_NOT_FOUND for a key that %s, and records nothing', async (_case, key, error) => {
    // Prepare
    const deps = memoryApiDeps();
    if (error) s3.on(HeadObjectCommand).rejects(error);
    // Act
    const res = await call(deps, jobs(image(key)));
    // Assess
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'UPLOAD_NOT_FOUND', details: { key } });
    expect(deps.store.records.size).toBe(0);
    expect(deps.queue.sent).toHaveLength(0);
  });

  it('answers 503 when S3 cannot say whether the upload exists', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('InternalError', 500));
    const res = await call(memoryApiDeps(), jobs(image('uploads/abc')));
    expect(res.status).toBe(503);
  });

  it('in a batch, refuses only the items whose upload is missing, in place', async () => {
    // Prepare
    s3.on(HeadObjectCommand, { Key: 'uploads/gone' }).rejects(s3Error('NotFound', 404));
    // Act
    const res = await call(
      memoryApiDeps(),
      batch([image('uploads/a'), image('uploads/gone'), { type: 'simulate' }, image('uploads/b')]),
    );
    // Assess
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(3);
    expect(res.body.results.map((r: { type?: string; error?: { code: string } }) => r.type ?? r.error?.code)).toEqual([
      'image.thumbnail',
      'UPLOAD_NOT_FOUND',
      'simulate',
      'image.thumbnail',
    ]);
  });
});

describe('POST /jobs with a payload over one SQS message', () => {
  const large = { type: 'webhook.deliver', payload: { url: 'http://127.0.0.1:9/hook', body: 'x'.repeat(2_000_000) } };

  it('accepts it, stores the payload under payloads/<jobId> and queues a small reference', async () => {
    // Prepare
    const deps = memoryApiDeps();
    // Act
    const res = await call(deps, jobs(large));
    // Assess
    expect(res.status).toBe(202);
    const put = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(put?.Key).toBe(`payloads/${res.body.jobId}`);
    expect(JSON.parse(put?.Body as string)).toEqual(large.payload);
    const sent = deps.queue.sent[0]?.message.body ?? '';
    expect(Buffer.byteLength(sent)).toBeLessThan(400);
    expect(JSON.parse(sent).payload[CLAIM_CHECK_FIELD].key).toBe(`payloads/${res.body.jobId}`);
  });

  it('answers 503 and records nothing when the payload cannot be stored', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(s3Error('SlowDown', 503));
    const deps = memoryApiDeps();
    // Act
    const res = await call(deps, jobs({ ...large, idempotencyKey: 'big-1' }));
    // Assess
    expect(res.status).toBe(503);
    expect(deps.queue.sent).toHaveLength(0);
    expect([...deps.store.records.values()]).toEqual([]);
  });
});

describe('GET /jobs/{jobId} with a stored result', () => {
  const record = (result: unknown, type = 'webhook.deliver'): JobRecord => ({
    jobId: 'job-1',
    type,
    status: 'succeeded',
    attempts: 1,
    maxAttempts: 3,
    createdAt: 'a',
    updatedAt: 'b',
    result,
  });

  it('reads a result the claim check stored back, as if it had been in the table', async () => {
    // Prepare
    const deps = memoryApiDeps();
    await deps.store.create(record(claimCheckMarker('results/job-1', 20)));
    s3.on(GetObjectCommand, { Key: 'results/job-1' }).resolves({
      Body: { transformToString: async () => '{"rows":[1,2,3]}' },
    } as never);
    // Act
    const res = await call(deps, get('job-1'));
    // Assess
    expect(res.status).toBe(200);
    expect(res.body.result).toEqual({ rows: [1, 2, 3] });
  });

  it(`answers a presigned URL in place of a stored result over ${MAX_VIEW_RESULT_BYTES} bytes`, async () => {
    const deps = memoryApiDeps();
    await deps.store.create(record(claimCheckMarker('results/job-1', MAX_VIEW_RESULT_BYTES + 1)));
    const res = await call(deps, get('job-1'));
    expect(res.body.result).toBeUndefined();
    expect(res.body.resultUrl).toMatch(/^http:\/\/127\.0\.0\.1:9\/qw-files\/results\/job-1\?.*X-Amz-Expires=3600/);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it("adds a download URL to each thumbnail of an image job, valid for the stack's download lifetime", async () => {
    const deps = memoryApiDeps();
    await deps.store.create(
      record({ thumbnails: [{ width: 128, height: 96, key: 'thumbnails/job-1/128.webp' }] }, 'image.thumbnail'),
    );
    const res = await call(deps, get('job-1'));
    expect(res.body.result.thumbnails[0].url).toMatch(
      /^http:\/\/127\.0\.0\.1:9\/qw-files\/thumbnails\/job-1\/128\.webp\?.*X-Amz-Expires=3600.*X-Amz-Signature=/,
    );
  });

  it('answers 503 when S3 does not return a stored result', async () => {
    const deps = memoryApiDeps();
    await deps.store.create(record(claimCheckMarker('results/job-1', 20)));
    s3.on(GetObjectCommand).rejects(s3Error('InternalError', 500));
    expect((await call(deps, get('job-1'))).status).toBe(503);
  });
});
