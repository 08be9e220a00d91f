/**
 * The image flow through the local runtime, as `npm start` runs it: a
 * presigned POST upload of a generated image, an `image.thumbnail` job, and
 * its thumbnails downloaded and measured; the bad inputs of each step; and a
 * payload over one SQS message through the claim check.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import type { LocalRuntime } from '../../local/index.js';
import { notAnImage, photo, pngBomb } from '../helpers/images.js';
import { postToS3, type UploadCreated } from '../helpers/uploads.js';
import { apiClient, captureOutput, startFixtureRuntime } from './helpers.js';

const output = captureOutput();
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;
let s3: S3Client;
let bucket: string;
let receiver: Server;
let receiverUrl: string;
const delivered: { idempotencyKey: string; sha256: string; bytes: number }[] = [];

beforeAll(async () => {
  runtime = await startFixtureRuntime({ output });
  api = apiClient(runtime);
  bucket = runtime.plan().buckets[0]?.name ?? '';
  s3 = new S3Client({
    region: runtime.region,
    endpoint: runtime.s3Endpoint,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const idempotencyKey = String(req.headers['idempotency-key']);
      delivered.push({ idempotencyKey, sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  s3?.destroy();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await runtime?.stop();
});

/** Asks the API for a presigned POST for `file`, and sends the file with it. */
async function upload(file: Buffer, contentType: string): Promise<UploadCreated> {
  const created = await api.request('POST', '/uploads', { contentType, contentLength: file.length });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const body = created.body as unknown as UploadCreated;
  const sent = await postToS3(body, file, { contentType });
  expect(sent.status, await sent.clone().text()).toBe(204);
  return body;
}

interface Thumbnail {
  width: number;
  height: number;
  format: string;
  key: string;
  url: string;
}

describe('image thumbnails on the local runtime', () => {
  it('uploads a photo with a presigned POST, makes its thumbnails, and serves each by a download URL', async () => {
    // Prepare: a 1600 x 1200 JPEG stored sideways with EXIF orientation 6, so shown 1200 x 1600.
    const { key } = await upload(await photo(1600, 1200, { orientation: 6 }), 'image/jpeg');
    // Act
    const jobId = await api.submit({
      type: 'image.thumbnail',
      payload: { key, widths: [128, 512], format: 'jpeg', watermark: true },
    });
    const job = await api.settled(jobId);
    // Assess
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1 });
    const { thumbnails } = job.result as { thumbnails: Thumbnail[] };
    expect(thumbnails.map((t) => [t.key, t.width, t.height, t.format])).toEqual([
      [`thumbnails/${jobId}/128.jpeg`, 128, 171, 'jpeg'],
      [`thumbnails/${jobId}/512.jpeg`, 512, 683, 'jpeg'],
    ]);
    for (const t of thumbnails) {
      const res = await fetch(t.url);
      expect(res.status).toBe(200);
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', t.width, t.height]);
    }
  });

  it('fails a corrupt upload for good after one attempt, with its message in the DLQ', async () => {
    // Prepare
    const { key } = await upload(notAnImage(), 'image/jpeg');
    // Act
    const jobId = await api.submit({ type: 'image.thumbnail', payload: { key } });
    const job = await api.settled(jobId);
    // Assess
    expect(job).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE' } });
    expect(job.error?.message).toMatch(/not an image this job can read/);
  });

  it('refuses a 50-megapixel bomb unread, and the worker goes on working', async () => {
    // Prepare
    const bomb = await upload(pngBomb(), 'image/png');
    const fine = await upload(await photo(400, 300), 'image/jpeg');
    // Act
    const bombJob = await api.settled(await api.submit({ type: 'image.thumbnail', payload: { key: bomb.key } }));
    const fineJob = await api.settled(await api.submit({ type: 'image.thumbnail', payload: { key: fine.key } }));
    // Assess
    expect(bombJob).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE' } });
    expect(bombJob.error?.message).toMatch(/50000000 pixels; the limit is 40000000/);
    expect(fineJob.status).toBe('succeeded');
    expect(output.lines.join('\n')).not.toMatch(/Runtime\.(OutOfMemory|ExitError)/);
  });

  it.each([
    ['outside uploads/', 'results/anything'],
    ['that no upload has', 'uploads/never-uploaded'],
  ])('answers 422 UPLOAD_NOT_FOUND for a key %s', async (_case, key) => {
    const res = await api.request('POST', '/jobs', { type: 'image.thumbnail', payload: { key } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'UPLOAD_NOT_FOUND', details: { key } } });
  });
});

describe('uploads refused on the local runtime', () => {
  it('answers 400 naming the limit for a wrong type or size at POST /uploads', async () => {
    const type = await api.request('POST', '/uploads', { contentType: 'image/svg+xml', contentLength: 10 });
    const size = await api.request('POST', '/uploads', { contentType: 'image/png', contentLength: 26_214_401 });
    expect(type.status).toBe(400);
    expect(JSON.stringify(type.body)).toMatch(/image\/jpeg/);
    expect(size.status).toBe(400);
    expect(size.body).toMatchObject({
      error: { message: expect.stringMatching(/the limit is 26214400 bytes \(25 MiB\)/) },
    });
  });

  it('refuses a file of another type or size than the presigned POST allows, as S3 does', async () => {
    // Prepare
    const created = (await api.request('POST', '/uploads', { contentType: 'image/png', contentLength: 100 }))
      .body as unknown as UploadCreated;
    // Act
    const otherType = await postToS3(created, Buffer.alloc(100), { fields: { 'Content-Type': 'text/html' } });
    const larger = await postToS3(created, Buffer.alloc(101));
    // Assess
    expect([otherType.status, await otherType.text()]).toEqual([403, expect.stringMatching(/Policy Condition failed/)]);
    expect([larger.status, await larger.text()]).toEqual([400, expect.stringMatching(/EntityTooLarge/)]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: created.key })).catch((e) => e);
    expect(head.$metadata?.httpStatusCode).toBe(404);
  });

  it('refuses an expired presigned POST, and a forged one, with 403', async () => {
    // Prepare: a form that expires in a second, signed with the runtime's keys.
    const short = await createPresignedPost(s3, { Bucket: bucket, Key: 'uploads/late', Expires: 1 });
    const created = (await api.request('POST', '/uploads', { contentType: 'image/png', contentLength: 4 }))
      .body as unknown as UploadCreated;
    await new Promise((r) => setTimeout(r, 1500));
    // Act
    const late = await postToS3(short, Buffer.alloc(4));
    const forged = await postToS3(created, Buffer.alloc(4), { fields: { 'X-Amz-Signature': '0'.repeat(64) } });
    // Assess
    expect([late.status, await late.text()]).toEqual([403, expect.stringMatching(/Policy expired/)]);
    expect([forged.status, await forged.text()]).toEqual([403, expect.stringMatching(/SignatureDoesNotMatch/)]);
  });

  it('says at start-up that the runtime, not fauxqs, checks presigned requests', () => {
    expect(output.lines.join('\n')).toMatch(/S3 +http:\/\/127\.0\.0\.1:\d+ \(fauxqs, behind the runtime's checks/);
    expect(output.lines.join('\n')).toMatch(/the runtime enforces presigned POST policies/);
  });
});

describe('the claim check on the local runtime', () => {
  it('delivers a 2 MB payload whole: stored under payloads/<jobId>, resolved by the worker', async () => {
    // Prepare
    const body = { blob: 'x'.repeat(2_000_000), n: 42 };
    const text = JSON.stringify(body);
    const sha256 = createHash('sha256').update(text).digest('hex');
    // Act
    const jobId = await api.submit({ type: 'webhook.deliver', payload: { url: receiverUrl, body } });
    const job = await api.settled(jobId);
    // Assess
    expect(job.status).toBe('succeeded');
    expect(delivered.find((d) => d.idempotencyKey === jobId)).toEqual({
      idempotencyKey: jobId,
      sha256,
      bytes: Buffer.byteLength(text),
    });
    const stored = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `payloads/${jobId}` }));
    expect(stored.ContentLength).toBeGreaterThan(2_000_000);
  });
});
