/**
 * The image flow and the claim check on the unchanged stack deployed to the
 * emulator, which (unlike fauxqs) checks S3 signatures, expiry and POST
 * policies itself: a presigned POST upload of a generated image, an
 * `image.thumbnail` job, its thumbnails downloaded and measured; a corrupt
 * upload and a decompression bomb failed for good in the DLQ; refused uploads
 * and keys; and a 2 MB payload through the claim check.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetBucketCorsCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { notAnImage, photo, pngBomb } from '../helpers/images.js';
import { postToS3, type UploadCreated } from '../helpers/uploads.js';
import { deployForE2e, type E2eDeployment } from './support/deployment.js';
import { type EmulatorInfo, emulatorInfo } from './support/emulator-info.js';
import { emulatorTarget } from './support/emulator-target.js';
import { JobApiClient } from './support/scenario.js';

let deployment: E2eDeployment;
let info: EmulatorInfo;
let api: JobApiClient;
let s3: S3Client;
let bucket: string;
let receiver: Server;
let receiverUrl: string;
const delivered = new Map<string, { sha256: string; bytes: number }>();

beforeAll(async () => {
  // Its webhooks go to a receiver on this machine, which ministack's functions reach on 127.0.0.1: a private
  // address that webhook.deliver refuses unless the stack allows private networks.
  deployment = await deployForE2e({ context: { allowPrivateNetworks: 'true' } });
  info = await emulatorInfo(deployment.endpoint);
  api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
  bucket = deployment.outputs.BucketName ?? '';
  s3 = new S3Client({
    region: LOCAL_REGION,
    endpoint: deployment.endpoint,
    forcePathStyle: true,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      delivered.set(String(req.headers['idempotency-key']), {
        sha256: createHash('sha256').update(body).digest('hex'),
        bytes: body.length,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  s3?.destroy();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await deployment?.teardown();
});

/** `POST /uploads` on the deployed API. */
function presign(contentType: string, contentLength: number) {
  return api.call<UploadCreated & { error?: { message: string } }>('POST', '/uploads', { contentType, contentLength });
}

/** Asks the API for a presigned POST for `file` and sends the file straight to the emulator's S3. */
async function upload(file: Buffer, contentType: string): Promise<UploadCreated> {
  const created = await presign(contentType, file.length);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const sent = await postToS3(created.body, file, { contentType });
  expect(sent.status, await sent.clone().text()).toBe(204);
  return created.body;
}

interface Thumbnail {
  width: number;
  height: number;
  format: string;
  key: string;
  url: string;
}

describe('image thumbnails on the emulator', () => {
  it('uploads a generated photo with a presigned POST, makes its thumbnails, and serves each by its download URL', async () => {
    // Prepare: 2000 x 1500 stored sideways (EXIF 6), so shown 1500 x 2000.
    const { key } = await upload(await photo(2000, 1500, { orientation: 6 }), 'image/jpeg');
    // Act
    const submitted = await api.submit({
      type: 'image.thumbnail',
      payload: { key, widths: [128, 512], watermark: true },
    });
    const job = await api.waitForTerminal(submitted.body.jobId, 180_000);
    // Assess
    expect(job).toMatchObject({ status: 'succeeded', attempts: 1 });
    const { thumbnails } = job.result as { thumbnails: Thumbnail[] };
    expect(thumbnails.map((t) => [t.key, t.width, t.height, t.format])).toEqual([
      [`thumbnails/${job.jobId}/128.webp`, 128, 171, 'webp'],
      [`thumbnails/${job.jobId}/512.webp`, 512, 683, 'webp'],
    ]);
    for (const t of thumbnails) {
      const res = await fetch(t.url);
      expect(res.status, t.url).toBe(200);
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['webp', t.width, t.height]);
    }
  });

  it('fails a corrupt upload after one attempt, with its reason in the DLQ', async () => {
    // Prepare
    const { key } = await upload(notAnImage(), 'image/jpeg');
    // Act
    const submitted = await api.submit({ type: 'image.thumbnail', payload: { key } });
    const job = await api.waitForTerminal(submitted.body.jobId, 180_000);
    // Assess
    expect(job).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE' } });
    const dlq = await emulatorTarget(deployment).readDlq('image.thumbnail');
    const parked = dlq.find((m) => m.attributes.jobId === job.jobId);
    expect(parked?.attributes).toMatchObject({ errorCode: 'NON_RETRYABLE', attempt: '1' });
    expect(parked?.attributes.errorMessage).toMatch(/not an image this job can read/);
  });

  it('fails a 50-megapixel bomb unread, after one attempt', async () => {
    const { key } = await upload(pngBomb(), 'image/png');
    const submitted = await api.submit({ type: 'image.thumbnail', payload: { key } });
    const job = await api.waitForTerminal(submitted.body.jobId, 180_000);
    expect(job).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE' } });
    expect(job.error?.message).toMatch(/50000000 pixels; the limit is 40000000\. It is refused before decoding/);
  });
});

describe('uploads and keys refused on the emulator', () => {
  it('answers 400 naming the limit for a type or size the API does not presign', async () => {
    const type = await presign('application/pdf', 10);
    const size = await presign('image/png', 26_214_401);
    expect(type.status).toBe(400);
    expect(JSON.stringify(type.body)).toMatch(/image\/jpeg/);
    expect([size.status, size.body.error?.message]).toEqual([
      400,
      expect.stringMatching(/the limit is 26214400 bytes/),
    ]);
  });

  it("gets S3's 403 for an expired form, and stores nothing", async () => {
    // Prepare: a form of our own, signed with the emulator's keys, that lives one second.
    const short = await createPresignedPost(s3, { Bucket: bucket, Key: 'uploads/late', Expires: 1 });
    await new Promise((r) => setTimeout(r, 2500));
    // Act
    const late = await postToS3(short, Buffer.alloc(4));
    // Assess
    expect([late.status, await late.text()]).toEqual([403, expect.stringMatching(/Policy expired/)]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'uploads/late' })).catch((e) => e);
    expect(head.$metadata?.httpStatusCode).toBe(404);
  });

  it("gets S3's 403 for a download URL that expired, or was altered to reach another object", async () => {
    // Prepare: a thumbnail's URL, as GET /jobs/{id} mints it.
    const { key } = await upload(await photo(320, 240), 'image/jpeg');
    const submitted = await api.submit({ type: 'image.thumbnail', payload: { key, widths: [64] } });
    const job = await api.waitForTerminal(submitted.body.jobId, 180_000);
    const [thumbnail] = (job.result as { thumbnails: Thumbnail[] }).thumbnails;
    const url = thumbnail?.url ?? '';
    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: thumbnail?.key }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    // Act
    const [ok, altered, late] = await Promise.all([
      fetch(url),
      fetch(url.replace(`${job.jobId}/64.webp`, `${job.jobId}/65.webp`)),
      fetch(expired),
    ]);
    // Assess
    expect(ok.status).toBe(200);
    expect([altered.status, await altered.text()]).toEqual([403, expect.stringMatching(/SignatureDoesNotMatch/)]);
    expect([late.status, await late.text()]).toEqual([403, expect.stringMatching(/Request has expired/)]);
  });

  it('refuses a file of another type than the form allows', async () => {
    const created = (await presign('image/png', 4)).body;
    const res = await postToS3(created, Buffer.alloc(4), { fields: { 'Content-Type': 'text/html' } });
    expect(res.status).toBe(403);
  });

  it.each([
    ['outside uploads/', 'results/anything'],
    ['that no upload has', 'uploads/never-uploaded'],
  ])('answers 422 UPLOAD_NOT_FOUND for a key %s', async (_case, key) => {
    const res = await api.submit({ type: 'image.thumbnail', payload: { key } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: 'UPLOAD_NOT_FOUND' } });
  });
});

describe('the claim check on the emulator', () => {
  it('round-trips a 2 MB JSON payload: stored under payloads/<jobId>, delivered whole by the worker', async () => {
    // Prepare
    const body = { blob: 'x'.repeat(2_000_000), items: Array.from({ length: 100 }, (_, i) => ({ i })) };
    const text = JSON.stringify(body);
    // Act
    const submitted = await api.submit({ type: 'webhook.deliver', payload: { url: receiverUrl, body } });
    const job = await api.waitForTerminal(submitted.body.jobId, 180_000);
    // Assess
    expect(submitted.status).toBe(202);
    expect(job.status).toBe('succeeded');
    expect(delivered.get(job.jobId)).toEqual({
      sha256: createHash('sha256').update(text).digest('hex'),
      bytes: Buffer.byteLength(text),
    });
    const stored = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: `payloads/${job.jobId}` }));
    expect(stored.ContentLength).toBeGreaterThan(2_000_000);
  });
});

/**
 * The bucket on the emulator, and where the emulator's S3 differs from AWS's
 * (on the pinned ministack the difference is expected, so an upgrade that
 * fixes it fails here and docs/emulator.md gets updated).
 */
describe('the bucket on the emulator', () => {
  it('keeps the encryption, the public access block and the TLS-only policy CloudFormation gave it', async () => {
    // Act
    const [encryption, block, policy] = await Promise.all([
      s3.send(new GetBucketEncryptionCommand({ Bucket: bucket })),
      s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })),
      s3.send(new GetBucketPolicyCommand({ Bucket: bucket })),
    ]);
    // Assess
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe('AES256');
    expect(block.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    const statements = (JSON.parse(policy.Policy ?? '{}') as { Statement?: { Effect: string; Condition?: unknown }[] })
      .Statement;
    expect(statements?.filter((st) => st.Effect === 'Deny').map((st) => JSON.stringify(st.Condition))).toEqual(
      expect.arrayContaining(['{"Bool":{"aws:SecureTransport":"false"}}']),
    );
  });

  it('S3 LifecycleConfiguration from CloudFormation: ignored by ministack 1.5.33 (AWS expires uploads after a day, payloads and results with the retention)', async () => {
    const lifecycle = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })).catch((e) => e);
    if (info.isPinnedMinistack) {
      expect(lifecycle.name).toBe('NoSuchLifecycleConfiguration');
      return;
    }
    expect(
      lifecycle.Rules?.map((r: { ID?: string; Expiration?: { Days?: number } }) => [r.ID, r.Expiration?.Days]),
    ).toEqual(
      expect.arrayContaining([
        ['expire-uploads', 1],
        ['expire-payloads', 30],
        ['expire-results', 30],
      ]),
    );
  });

  it('has no CORS rules by default: no browser origin may upload', async () => {
    const cors = await s3.send(new GetBucketCorsCommand({ Bucket: bucket })).catch((e) => e);
    expect(cors.name).toBe('NoSuchCORSConfiguration');
  });

  it('POST upload signature: not checked by ministack 1.5.33 unless it runs with AUTH=true, which cdk deploy cannot use (AWS answers 403)', async () => {
    // Prepare: the API's form, with a signature that is not S3's.
    const created = (await presign('image/png', 4)).body;
    // Act
    const forged = await postToS3(created, Buffer.alloc(4), { fields: { 'X-Amz-Signature': '0'.repeat(64) } });
    // Assess
    expect(forged.status).toBe(info.isPinnedMinistack ? 204 : 403);
  });
});
