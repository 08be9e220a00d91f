/**
 * Presigned S3 requests the API hands out: a POST policy for an upload, and a
 * GET URL for a download. The presigner packages are bundled with the API
 * (`lib/function.ts`): the Lambda runtime's SDK does not include them.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { JobStorage } from '../shared/storage.js';

/** What one presigned upload allows. */
export interface UploadGrant {
  readonly key: string;
  /** The only Content-Type the form may carry. */
  readonly contentType: string;
  /** The exact size of the file, in bytes: the policy's content-length-range is [n, n]. */
  readonly contentLength: number;
  readonly expiresSeconds: number;
}

/**
 * A presigned POST for one file at `grant.key`: its policy holds the key, the
 * Content-Type and a content-length-range, and expires after
 * `grant.expiresSeconds`. The client sends `fields` then the file, as
 * multipart/form-data, straight to S3; the API never carries the bytes.
 */
export function presignUpload(storage: JobStorage, grant: UploadGrant): Promise<PresignedPost> {
  return createPresignedPost(storage.s3, {
    Bucket: storage.bucket,
    Key: grant.key,
    Conditions: [
      ['content-length-range', grant.contentLength, grant.contentLength],
      ['eq', '$Content-Type', grant.contentType],
    ],
    Fields: { 'Content-Type': grant.contentType },
    Expires: grant.expiresSeconds,
  });
}

/**
 * A presigned GET URL for `key`, valid for `expiresSeconds`. Signed with the
 * function's temporary credentials, it also stops working when they expire,
 * which can be sooner.
 */
export function presignDownload(storage: JobStorage, key: string, expiresSeconds: number): Promise<string> {
  return getSignedUrl(storage.s3, new GetObjectCommand({ Bucket: storage.bucket, Key: key }), {
    expiresIn: expiresSeconds,
  });
}
