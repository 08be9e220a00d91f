import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { BUCKET_AREAS, type JobStorage } from '../shared/storage.js';
import * as z from '../shared/zod.js';
import { json, readJsonBody } from './http.js';
import { presignUpload } from './presign.js';
import { fieldProblems, uploadRequest } from './schemas.js';
import type { SubmitDeps } from './submit.js';

/** Largest body of `POST /uploads`: a small JSON object. */
export const MAX_UPLOAD_REQUEST_BYTES = 4 * 1024;

/** What `POST /uploads` needs: the config's limits and the bucket. */
export type UploadDeps = Pick<SubmitDeps, 'config'> & { readonly storage?: JobStorage };

/** `25 MiB`, `512 KiB`, `300 bytes`: a limit as a person reads it. */
export function humanBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/**
 * `POST /uploads`: checks the declared content type and size against the
 * limits (a 400 that names them), then answers 201 with a presigned POST for
 * `uploads/<uploadId>` whose policy allows exactly that type and size.
 */
export async function createUpload(event: APIGatewayProxyEvent, deps: UploadDeps): Promise<APIGatewayProxyResult> {
  const limits = deps.config.storage;
  if (!limits || !deps.storage) throw new NotFoundError('Uploads are not offered: this API has no bucket.');
  const parsed = z.safeParse(uploadRequest, readJsonBody(event, MAX_UPLOAD_REQUEST_BYTES));
  if (!parsed.success) throw new ValidationError('The upload request is invalid.', fieldProblems(parsed.error));
  const { contentType, contentLength } = parsed.data;
  if (contentLength > limits.uploadMaxBytes) {
    throw new ValidationError(
      `contentLength is ${contentLength} bytes; the limit is ${limits.uploadMaxBytes} bytes (${humanBytes(limits.uploadMaxBytes)}).`,
      [{ path: 'contentLength', message: `at most ${limits.uploadMaxBytes} bytes` }],
    );
  }
  const uploadId = randomUUID();
  const key = `${BUCKET_AREAS.uploads}${uploadId}`;
  const { url, fields } = await presignUpload(deps.storage, {
    key,
    contentType,
    contentLength,
    expiresSeconds: limits.uploadUrlSeconds,
  });
  return json(201, { uploadId, key, url, fields, expiresAt: policyExpiration(fields) });
}

/** The expiration the signed policy holds: exactly when S3 stops taking the form. */
function policyExpiration(fields: Readonly<Record<string, string>>): string {
  const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as { expiration?: string };
  if (!policy.expiration) throw new Error('The presigned POST has no policy expiration.');
  return policy.expiration;
}
