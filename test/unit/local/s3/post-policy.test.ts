import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../../../local/core/local-aws.js';
import { checkPostPolicy, type PostForm, parsePostForm } from '../../../../local/core/s3/post-policy.js';
import { postFormBody } from '../../../helpers/multipart.js';

const credentials = [THROWAWAY_CREDENTIALS];
const s3 = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:4566',
  credentials: { ...THROWAWAY_CREDENTIALS },
});

/** The presigned POST the API makes: exactly this type and size, under this key, for 15 minutes. */
async function presigned(options: { contentType?: string; size?: number; expires?: number; client?: S3Client } = {}) {
  const contentType = options.contentType ?? 'image/png';
  const size = options.size ?? 100;
  return createPresignedPost(options.client ?? s3, {
    Bucket: 'files',
    Key: 'uploads/abc',
    Conditions: [
      ['content-length-range', size, size],
      ['eq', '$Content-Type', contentType],
    ],
    Fields: { 'Content-Type': contentType },
    Expires: options.expires ?? 900,
  });
}

/** The form as S3 reads it from the body a browser sends. */
function formOf(fields: Record<string, string>, fileBytes: number): PostForm {
  const { body, contentType } = postFormBody(fields, Buffer.alloc(fileBytes, 7));
  const form = parsePostForm(body, contentType);
  if ('status' in form) throw new Error(form.message);
  return form;
}

const check = (form: PostForm, now = new Date()) => checkPostPolicy(form, { bucket: 'files', credentials, now });

describe('POST upload policies, as the local S3 checks them', () => {
  it("reads the form's fields up to the file, and the file's size", () => {
    const form = formOf({ key: 'uploads/abc', 'Content-Type': 'image/png' }, 321);
    expect(Object.fromEntries(form.fields)).toEqual({ key: 'uploads/abc', 'content-type': 'image/png' });
    expect(form.file).toEqual({ size: 321 });
  });

  it("accepts the SDK's form carrying the declared type and size", async () => {
    const { fields } = await presigned();
    expect(check(formOf(fields, 100))).toBeUndefined();
  });

  it('refuses another content type than the policy allows', async () => {
    const { fields } = await presigned();
    expect(check(formOf({ ...fields, 'Content-Type': 'text/html' }, 100))).toEqual({
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["eq","$Content-Type","image/png"]',
    });
  });

  it.each([
    [101, 'EntityTooLarge'],
    [99, 'EntityTooSmall'],
  ])('refuses a file of %i bytes when the policy says 100: %s (400)', async (bytes, code) => {
    const { fields } = await presigned();
    expect(check(formOf(fields, bytes))).toMatchObject({ status: 400, code });
  });

  it('refuses an expired form', async () => {
    const { fields } = await presigned({ expires: 60 });
    expect(check(formOf(fields, 100), new Date(Date.now() + 61_000))?.message).toBe(
      'Invalid according to Policy: Policy expired.',
    );
  });

  it('refuses a form whose key was changed', async () => {
    const { fields } = await presigned();
    expect(check(formOf({ ...fields, key: 'thumbnails/other/128.webp' }, 100))?.message).toMatch(
      /Policy Condition failed: \{"key":"uploads\/abc"\}/,
    );
  });

  it('refuses a policy rewritten to allow more, whose signature no longer matches', async () => {
    // Prepare: the same policy with a 1 GB range, re-encoded, keeping the old signature.
    const { fields } = await presigned();
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString()) as { conditions: unknown[] };
    policy.conditions = policy.conditions.map((c) =>
      Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 0, 1e9] : c,
    );
    const forged = { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') };
    // Act + Assess
    expect(check(formOf(forged, 5000))?.code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a field no condition allows', async () => {
    const { fields } = await presigned();
    expect(check(formOf({ ...fields, 'x-amz-meta-owner': 'me' }, 100))?.message).toBe(
      'Invalid according to Policy: Extra input fields: x-amz-meta-owner',
    );
  });

  it('refuses a form without a policy, and one signed by a key it does not know', async () => {
    const stranger = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4566',
      credentials: { accessKeyId: 'AKIAX', secretAccessKey: 'y' },
    });
    const { fields } = await presigned({ client: stranger });
    expect(check(formOf({ key: 'uploads/abc' }, 100))).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(check(formOf(fields, 100))?.code).toBe('InvalidAccessKeyId');
  });
});
