import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../../../local/core/emulators/emulators.js';
import { THROWAWAY_CREDENTIALS } from '../../../../local/core/local-aws.js';
import type { BucketDef } from '../../../../local/core/plan.js';
import { postFormBody } from '../../../helpers/multipart.js';

const RUNTIME = 'http://127.0.0.1:3000';
const BUCKET: BucketDef = {
  logicalId: 'Files',
  name: 'files',
  cors: [
    {
      allowedOrigins: ['https://app.example.com'],
      allowedMethods: ['POST'],
      allowedHeaders: ['*'],
      exposedHeaders: ['ETag'],
      maxAgeSeconds: 3000,
    },
  ],
  expirations: [{ id: 'uploads', prefix: 'uploads/', days: 1 }],
};

let emulators: Emulators;
/** A client as the functions have one: the S3 front as its endpoint, the throwaway keys. */
let s3: S3Client;

beforeAll(async () => {
  emulators = await startEmulators({ region: 'us-east-1', trustedOrigin: RUNTIME });
  await emulators.ensureBuckets([BUCKET]);
  s3 = new S3Client({ region: 'us-east-1', endpoint: emulators.s3Endpoint, credentials: { ...THROWAWAY_CREDENTIALS } });
});
afterAll(async () => {
  s3?.destroy();
  await emulators?.stop();
});

/** A presigned POST for exactly `size` bytes of `contentType` at `key`, as the API makes it. */
const presign = (key: string, contentType: string, size: number) =>
  createPresignedPost(s3, {
    Bucket: 'files',
    Key: key,
    Conditions: [
      ['content-length-range', size, size],
      ['eq', '$Content-Type', contentType],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: 60,
  });

/** Sends a form to the presigned POST's URL, as a browser or curl does. */
async function upload(url: string, fields: Record<string, string>, file: Buffer, origin?: string) {
  const { body, contentType } = postFormBody(fields, file);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(origin ? { origin } : {}) },
    body,
  });
}

describe('the local S3 endpoint', () => {
  it('stores an upload sent with a presigned POST, with its content type, and serves it by presigned GET', async () => {
    // Prepare
    const file = Buffer.alloc(2048, 1);
    const { url, fields } = await presign('uploads/ok', 'image/png', file.length);
    // Act
    const res = await upload(url, fields, file);
    const download = await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'files', Key: 'uploads/ok' })));
    // Assess
    expect(url).toBe(`${emulators.s3Endpoint}/files`);
    expect(res.status).toBe(204);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(file);
  });

  it("takes an upload over fauxqs's default 11 MiB body limit", async () => {
    const file = Buffer.alloc(12 * 1024 * 1024, 2);
    const { url, fields } = await presign('uploads/big', 'image/jpeg', file.length);
    expect((await upload(url, fields, file)).status).toBe(204);
  });

  it("refuses another content type with S3's 403 and its XML error, storing nothing", async () => {
    // Prepare
    const { url, fields } = await presign('uploads/typed', 'image/png', 10);
    // Act
    const res = await upload(url, { ...fields, 'Content-Type': 'text/html' }, Buffer.alloc(10));
    // Assess
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(
      /<Code>AccessDenied<\/Code><Message>Invalid according to Policy: Policy Condition failed: \[&#34;eq&#34;,&#34;\$Content-Type&#34;,&#34;image\/png&#34;\]<\/Message>/,
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'files', Key: 'uploads/typed' })).catch((e) => e);
    expect(head.$metadata?.httpStatusCode).toBe(404);
  });

  it("refuses a file larger than the policy allows with S3's 400 EntityTooLarge", async () => {
    const { url, fields } = await presign('uploads/sized', 'image/png', 10);
    const res = await upload(url, fields, Buffer.alloc(11));
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/<Code>EntityTooLarge<\/Code>/);
  });

  it('refuses an expired presigned GET, and a forged one', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'files', Key: 'thumbnails/j/1.webp', Body: 'x' }));
    const command = new GetObjectCommand({ Bucket: 'files', Key: 'thumbnails/j/1.webp' });
    const expired = await getSignedUrl(s3, command, { expiresIn: 60, signingDate: new Date(Date.now() - 120_000) });
    const valid = await getSignedUrl(s3, command, { expiresIn: 60 });
    // Act
    const [late, forged] = await Promise.all([
      fetch(expired),
      fetch(valid.replace('thumbnails/j/1.webp', 'thumbnails/j/2.webp')),
    ]);
    // Assess
    expect([late.status, await late.text()]).toEqual([403, expect.stringMatching(/Request has expired/)]);
    expect([forged.status, await forged.text()]).toEqual([403, expect.stringMatching(/SignatureDoesNotMatch/)]);
  });

  it("passes the functions' own signed calls through to fauxqs", async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'files', Key: 'results/j', Body: '{"a":1}' }));
    const out = await s3.send(new GetObjectCommand({ Bucket: 'files', Key: 'results/j' }));
    expect(await out.Body?.transformToString()).toBe('{"a":1}');
  });

  it.each([
    [RUNTIME, 'POST', 200, RUNTIME],
    ['http://localhost:3000', 'PUT', 200, 'http://localhost:3000'],
    ['https://app.example.com', 'POST', 200, 'https://app.example.com'],
    ['https://app.example.com', 'PUT', 403, null],
    ['https://evil.example', 'POST', 403, null],
  ])('answers a CORS preflight from %s for %s with %i', async (origin, method, status, allowed) => {
    const res = await fetch(`${emulators.s3Endpoint}/files`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': method },
    });
    expect(res.status).toBe(status);
    expect(res.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it("lets the runtime's own page read the answer of its upload (CORS on the response)", async () => {
    const { url, fields } = await presign('uploads/from-page', 'image/png', 4);
    const res = await upload(url, fields, Buffer.alloc(4), RUNTIME);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(RUNTIME);
  });

  it('runs the expiration rules: uploads past their day go, other areas stay', async () => {
    // Prepare
    await s3.send(new PutObjectCommand({ Bucket: 'files', Key: 'uploads/stale', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: 'files', Key: 'thumbnails/keep', Body: 'x' }));
    // Act: two days on
    const deleted = await emulators.sweepExpiredObjects([BUCKET], new Date(Date.now() + 2 * 86_400_000));
    // Assess
    const left = await s3.send(new ListObjectsV2Command({ Bucket: 'files' }));
    const keys = (left.Contents ?? []).map((o) => o.Key);
    expect(deleted).toBeGreaterThan(0);
    expect(keys.filter((k) => k?.startsWith('uploads/'))).toEqual([]);
    expect(keys).toContain('thumbnails/keep');
  });
});
