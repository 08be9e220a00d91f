import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobClient, JobApiError } from '../src/index.js';
import { type FakeApi, jsonBody, startFakeApi } from './support/api-server.js';

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi();
});

afterAll(() => api.close());

beforeEach(() => {
  api.received.length = 0;
});

/** The API's presigned form, pointing at the same fake server as S3. */
const created = () => ({
  uploadId: 'u1',
  key: 'uploads/u1',
  url: `${api.url}/bucket`,
  fields: { 'Content-Type': 'image/png', key: 'uploads/u1', Policy: 'cG9saWN5', 'X-Amz-Signature': 'sig' },
  expiresAt: '2026-11-29T12:15:00Z',
});

describe('upload', () => {
  it("asks POST /uploads for the file's type and size, then posts the form with every field and the file last", async () => {
    // Prepare
    api.answer((request) => (request.url === '/v1/uploads' ? { status: 201, body: created() } : { status: 204 }));
    const client = createJobClient({ url: `${api.url}/v1`, auth: 'none' });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

    // Act
    const upload = await client.upload(png, { contentType: 'image/png' });

    // Assess
    expect(upload).toMatchObject({ key: 'uploads/u1', uploadId: 'u1' });
    expect(jsonBody(api, 0)).toEqual({ contentType: 'image/png', contentLength: 7 });
    const form = api.received[1];
    expect(form).toMatchObject({ method: 'POST', url: '/bucket' });
    expect(form?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const names = [...(form?.body ?? '').matchAll(/; name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['Content-Type', 'key', 'Policy', 'X-Amz-Signature', 'file']);
    expect(form?.body).toContain('PNG\x01\x02\x03');
    expect(form?.headers.authorization).toBeUndefined();
  });

  it("rejects with UPLOAD_REFUSED, S3's status and its message, when S3 refuses the form", async () => {
    // Prepare
    const refusal =
      '<?xml version="1.0"?><Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>';
    api.answer((request) =>
      request.url === '/v1/uploads' ? { status: 201, body: created() } : { status: 400, body: refusal },
    );
    const client = createJobClient({ url: `${api.url}/v1`, auth: 'none' });

    // Act
    const error = await client
      .upload(new Blob(['x'], { type: 'image/png' }), { contentType: 'image/png' })
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(JobApiError);
    expect(error).toMatchObject({
      code: 'UPLOAD_REFUSED',
      status: 400,
      details: { key: 'uploads/u1' },
    });
    expect((error as Error).message).toContain('exceeds the maximum allowed size');
  });

  it("rejects with the API's error, sending nothing to S3, when POST /uploads refuses", async () => {
    // Prepare
    api.answer(() => ({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR', message: 'The upload request is invalid.' } },
    }));
    const client = createJobClient({ url: `${api.url}/v1`, auth: 'none' });

    // Act
    const error = await client.upload(new Uint8Array([1]), { contentType: 'text/plain' }).catch((e) => e);

    // Assess
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', status: 400 });
    expect(api.received).toHaveLength(1);
  });
});
