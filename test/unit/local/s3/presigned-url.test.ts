import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../../../local/core/local-aws.js';
import { checkPresigned, isPresigned, type RawRequest } from '../../../../local/core/s3/presigned-url.js';

const ENDPOINT = 'http://127.0.0.1:4566';
const credentials = [THROWAWAY_CREDENTIALS];
const s3 = new S3Client({ region: 'eu-west-1', endpoint: ENDPOINT, credentials: { ...THROWAWAY_CREDENTIALS } });

/** The request a client makes with a presigned URL: its path and query as the URL spells them. */
function requestOf(url: string, method = 'GET'): RawRequest {
  const rest = url.slice(ENDPOINT.length);
  const q = rest.indexOf('?');
  return { method, path: rest.slice(0, q), query: rest.slice(q + 1), headers: { host: '127.0.0.1:4566' } };
}

const presignGet = (key: string, expiresIn = 60) =>
  getSignedUrl(s3, new GetObjectCommand({ Bucket: 'files', Key: key }), { expiresIn });

describe('presigned URLs, as the local S3 checks them', () => {
  it("accepts the SDK's own presigned GET and PUT, for keys that need escaping too", async () => {
    // Prepare
    const urls = await Promise.all([
      presignGet('thumbnails/job-1/128.webp'),
      presignGet('uploads/a photo (1)+ü.jpg'),
      getSignedUrl(s3, new PutObjectCommand({ Bucket: 'files', Key: 'uploads/x' }), { expiresIn: 60 }),
    ]);
    // Act
    const verdicts = urls.map((url, i) =>
      checkPresigned(requestOf(url, i === 2 ? 'PUT' : 'GET'), { credentials, now: new Date() }),
    );
    // Assess
    expect(urls.every((u) => isPresigned(u.slice(u.indexOf('?') + 1)))).toBe(true);
    expect(verdicts).toEqual([undefined, undefined, undefined]);
  });

  it('refuses an expired URL with S3\'s "Request has expired"', async () => {
    const request = requestOf(await presignGet('k', 60));
    const later = new Date(Date.now() + 61_000);
    expect(checkPresigned(request, { credentials, now: later })).toEqual({
      status: 403,
      code: 'AccessDenied',
      message: 'Request has expired',
    });
  });

  it.each([
    ['a path changed to another key', (r: RawRequest) => ({ ...r, path: r.path.replace('mine', 'theirs') })],
    [
      'a longer expiry written in',
      (r: RawRequest) => ({ ...r, query: r.query.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') }),
    ],
    ['another method', (r: RawRequest) => ({ ...r, method: 'DELETE' })],
    ['another host', (r: RawRequest) => ({ ...r, headers: { host: '127.0.0.1:9999' } })],
  ])('refuses a forged URL: %s', async (_case, forge) => {
    const request = forge(requestOf(await presignGet('uploads/mine')));
    expect(checkPresigned(request, { credentials, now: new Date() })?.code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a URL signed with a secret the runtime did not hand out', async () => {
    const other = new S3Client({
      region: 'eu-west-1',
      endpoint: ENDPOINT,
      credentials: { accessKeyId: 'test', secretAccessKey: 'guess' },
    });
    const url = await getSignedUrl(other, new GetObjectCommand({ Bucket: 'files', Key: 'k' }), { expiresIn: 60 });
    expect(checkPresigned(requestOf(url), { credentials, now: new Date() })?.code).toBe('SignatureDoesNotMatch');
  });

  it('refuses an access key the runtime does not know', async () => {
    const other = new S3Client({
      region: 'eu-west-1',
      endpoint: ENDPOINT,
      credentials: { accessKeyId: 'AKIAOTHER', secretAccessKey: 'test' },
    });
    const url = await getSignedUrl(other, new GetObjectCommand({ Bucket: 'files', Key: 'k' }), { expiresIn: 60 });
    expect(checkPresigned(requestOf(url), { credentials, now: new Date() })?.code).toBe('InvalidAccessKeyId');
  });
});
