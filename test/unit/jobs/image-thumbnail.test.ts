import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { imageThumbnail, thumbnailKey } from '../../../lambda/jobs/image-thumbnail.js';
import {
  NonRetryableError,
  RetryableError,
  ServiceUnavailableError,
  UploadNotFoundError,
} from '../../../lambda/shared/errors.js';
import { testStorage } from '../../helpers/api-deps.js';
import { notAnImage, photo } from '../../helpers/images.js';
import { jobContext } from '../../helpers/job-context.js';
import { s3Error } from '../../helpers/s3-errors.js';

const s3 = mockClient(S3Client);
const storage = testStorage();
const KEY = 'uploads/3f8e2a51-6c0d-4b7e-9a14-2d5c8b7e1f60';

/** What S3's GetObject returns for `bytes`: a body the SDK would give. */
function objectOf(bytes: Buffer) {
  return {
    ContentLength: bytes.length,
    Body: {
      transformToByteArray: async () => new Uint8Array(bytes),
      transformToString: async () => bytes.toString('utf8'),
      transformToWebStream: () => new ReadableStream(),
    },
  } as never;
}

/** Every object the job wrote, by key. */
function written(): Map<string, PutObjectCommandInput> {
  return new Map(s3.commandCalls(PutObjectCommand).map((c) => [c.args[0].input.Key as string, c.args[0].input]));
}

const run = (payload: Parameters<typeof imageThumbnail.handler>[0], jobId = 'job-1') =>
  imageThumbnail.handler(payload, jobContext({ jobId, type: 'image.thumbnail', storage }));

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('image.thumbnail job', () => {
  it('writes one thumbnail per width at thumbnails/<jobId>/<width>.<format>, and returns their sizes', async () => {
    // Prepare
    s3.on(GetObjectCommand, { Bucket: storage.bucket, Key: KEY }).resolves(objectOf(await photo(1600, 1200)));
    // Act
    const result = await run({ key: KEY, widths: [128, 512], format: 'jpeg' });
    // Assess
    expect(result).toEqual({
      source: { width: 1600, height: 1200, format: 'jpeg' },
      thumbnails: [
        { width: 128, height: 96, format: 'jpeg', key: 'thumbnails/job-1/128.jpeg', bytes: expect.any(Number) },
        { width: 512, height: 384, format: 'jpeg', key: 'thumbnails/job-1/512.jpeg', bytes: expect.any(Number) },
      ],
    });
    const objects = written();
    expect([...objects.keys()].sort()).toEqual(['thumbnails/job-1/128.jpeg', 'thumbnails/job-1/512.jpeg']);
    const big = objects.get('thumbnails/job-1/512.jpeg');
    expect(big).toMatchObject({ Bucket: storage.bucket, ContentType: 'image/jpeg' });
    expect(await sharp(big?.Body as Buffer).metadata()).toMatchObject({ format: 'jpeg', width: 512, height: 384 });
  });

  it('reports its progress as the share of widths written, ending at 100', async () => {
    // Prepare
    s3.on(GetObjectCommand, { Bucket: storage.bucket, Key: KEY }).resolves(objectOf(await photo(800, 600)));
    const ctx = jobContext({ jobId: 'job-2', type: 'image.thumbnail', storage });
    // Act
    await imageThumbnail.handler({ key: KEY, widths: [64, 128, 256, 512] }, ctx);
    // Assess: the widths render at once, so the reports come in the order the writes end.
    expect(ctx.reported).toEqual([25, 50, 75, 100]);
  });

  it('makes 128 and 512 px WebP by default, and a retried attempt overwrites the same keys', async () => {
    // Prepare
    s3.on(GetObjectCommand).resolves(objectOf(await photo(1024, 768)));
    // Act
    await run({ key: KEY }, 'job-9');
    const first = [...written().keys()].sort();
    s3.resetHistory();
    await run({ key: KEY }, 'job-9');
    // Assess
    expect(first).toEqual([thumbnailKey('job-9', 128, 'webp'), thumbnailKey('job-9', 512, 'webp')]);
    expect([...written().keys()].sort()).toEqual(first);
  });

  it.each([
    ['read', GetObjectCommand],
    ['write', PutObjectCommand],
  ] as const)('retries when S3 throttles a %s', async (_what, command) => {
    // Prepare
    s3.on(GetObjectCommand).resolves(objectOf(await photo(320, 240)));
    s3.on(command).rejects(s3Error('SlowDown', 503));
    // Act
    const error = await run({ key: KEY, widths: [64] }).catch((e) => e);
    // Assess
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toMatch(/SlowDown/);
  });

  it('retries when the network times out', async () => {
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(await run({ key: KEY }).catch((e) => e)).toBeInstanceOf(RetryableError);
  });

  it.each([
    ['S3 says NoSuchKey', s3Error('NoSuchKey', 404)],
    ['S3 says AccessDenied, as it does for a missing key to a caller that may not list', s3Error('AccessDenied', 403)],
  ])('fails for good when the upload is gone: %s', async (_case, error) => {
    s3.on(GetObjectCommand).rejects(error);
    const thrown = await run({ key: KEY }).catch((e) => e);
    expect(thrown).toBeInstanceOf(NonRetryableError);
    expect(thrown.message).toMatch(/gone/);
  });

  it('fails for good on a corrupt file, writing nothing', async () => {
    s3.on(GetObjectCommand).resolves(objectOf(notAnImage()));
    const thrown = await run({ key: KEY }).catch((e) => e);
    expect(thrown).toBeInstanceOf(NonRetryableError);
    expect(thrown.message).toMatch(/not an image this job can read/);
    expect(written().size).toBe(0);
  });

  it('refuses a key outside uploads/ without reading it', async () => {
    const thrown = await run({ key: 'thumbnails/other-job/512.webp' }).catch((e) => e);
    expect(thrown).toBeInstanceOf(NonRetryableError);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('validates its payload: widths from 16 to 4096, none repeated, a known format', () => {
    const parse = (p: unknown) => imageThumbnail.payload['~standard'].validate(p) as { issues?: unknown[] };
    expect(parse({ key: KEY, widths: [128, 128] }).issues).toHaveLength(1);
    expect(parse({ key: KEY, widths: [8] }).issues).toHaveLength(1);
    expect(parse({ key: KEY, format: 'gif' }).issues).toHaveLength(1);
    expect(parse({ key: KEY, widths: [16, 4096], format: 'png', watermark: true }).issues).toBeUndefined();
  });
});

describe('image.thumbnail at submit time', () => {
  const precheck = (key: string) => imageThumbnail.precheck?.({ key }, storage);

  it('accepts an upload that exists', async () => {
    s3.on(HeadObjectCommand, { Bucket: storage.bucket, Key: KEY }).resolves({ ContentLength: 10 });
    await expect(precheck(KEY)).resolves.toBeUndefined();
  });

  it.each([
    ['a key outside uploads/', 'results/job-1', /start with "uploads\/"/],
    ['a key with a ".." segment', 'uploads/../results/job-1', /no empty, "." or ".." segment/],
  ])('refuses %s as UPLOAD_NOT_FOUND, without asking S3', async (_case, key, message) => {
    const error = await precheck(key)?.catch((e) => e);
    expect(error).toBeInstanceOf(UploadNotFoundError);
    expect(error.message).toMatch(message);
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it.each([404, 403])('refuses an upload S3 does not have (HeadObject %i) as UPLOAD_NOT_FOUND', async (status) => {
    s3.on(HeadObjectCommand).rejects(s3Error(status === 404 ? 'NotFound' : 'Forbidden', status));
    expect(await precheck(KEY)?.catch((e) => e)).toBeInstanceOf(UploadNotFoundError);
  });

  it('answers 503 when S3 does not answer', async () => {
    s3.on(HeadObjectCommand).rejects(s3Error('InternalError', 500));
    expect(await precheck(KEY)?.catch((e) => e)).toBeInstanceOf(ServiceUnavailableError);
  });
});

describe('image.thumbnail when read', () => {
  it('adds a download URL to each thumbnail, minted at read time', async () => {
    // Prepare
    const stored = { source: {}, thumbnails: [{ width: 128, height: 96, key: 'thumbnails/j/128.webp' }] };
    // Act
    const shown = await imageThumbnail.presentResult?.(stored, { downloadUrl: async (key) => `https://dl/${key}` });
    // Assess
    expect(shown).toEqual({
      source: {},
      thumbnails: [{ width: 128, height: 96, key: 'thumbnails/j/128.webp', url: 'https://dl/thumbnails/j/128.webp' }],
    });
  });

  it('shows a result of another shape as it is', async () => {
    const shown = await imageThumbnail.presentResult?.({ note: 'old' }, { downloadUrl: async () => 'x' });
    expect(shown).toEqual({ note: 'old' });
  });
});
