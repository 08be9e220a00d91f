import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The stack's one bucket is split into areas, each a key prefix with its own
 * lifecycle rule and its own grants. The one list: the construct's lifecycle
 * rules and IAM statements, the functions' keys and the docs derive from it.
 */
export const BUCKET_AREAS = Object.freeze({
  /** Files clients upload with a presigned POST; read by the jobs that process them. */
  uploads: 'uploads/',
  /** Job payloads too large for one SQS message (claim check). */
  payloads: 'payloads/',
  /** Job results too large for a DynamoDB item (claim check). */
  results: 'results/',
  /** What `image.thumbnail` writes. */
  thumbnails: 'thumbnails/',
} as const);

/** The name of one area of the bucket. */
export type BucketArea = keyof typeof BUCKET_AREAS;

/** The bucket and a client for it, as the functions (and job handlers that declare access) receive them. */
export interface JobStorage {
  readonly bucket: string;
  readonly s3: S3Client;
}

/** Longest S3 object key, in UTF-8 bytes. */
export const MAX_KEY_BYTES = 1024;

/** Where the claim check stores the payload of job `jobId`. */
export function payloadKey(jobId: string): string {
  return `${BUCKET_AREAS.payloads}${jobId}`;
}

/** Where the claim check stores the result of job `jobId`. */
export function resultKey(jobId: string): string {
  return `${BUCKET_AREAS.results}${jobId}`;
}

/**
 * Why `key` cannot name an upload, or undefined when it can: it must lie under
 * `uploads/`, with no empty, `.` or `..` segment (S3 keeps them literally, but a
 * key that looks like a path escaping its prefix is refused outright), no
 * control character, and fit S3's 1,024-byte limit.
 */
export function uploadKeyProblem(key: string): string | undefined {
  if (!key.startsWith(BUCKET_AREAS.uploads)) return `keys of uploads start with "${BUCKET_AREAS.uploads}"`;
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `keys are at most ${MAX_KEY_BYTES} bytes`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'keys hold no control characters';
  const segments = key.slice(BUCKET_AREAS.uploads.length).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'keys have no empty, "." or ".." segment';
  return undefined;
}
