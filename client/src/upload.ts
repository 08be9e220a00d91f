import { CLIENT_ERROR_CODES, JobApiError } from './errors.js';
import type { ApiResponse, FetchLike, Transport } from './transport.js';

/** `201` body of `POST /uploads`: a presigned S3 POST for one file. */
export interface UploadCreated {
  readonly uploadId: string;
  /** The object's key: give it to a job (`image.thumbnail`'s `key`). */
  readonly key: string;
  /** Where the form goes. */
  readonly url: string;
  /** Every field the form must carry, the policy and its signature included. */
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: string;
}

/** Options of `upload`. */
export interface UploadOptions {
  /** The file's type, which the presigned policy then requires exactly (`image/jpeg`, …). */
  readonly contentType: string;
  readonly signal?: AbortSignal;
}

/**
 * Uploads a file the way `POST /uploads` asks: the API presigns a form for its
 * exact type and size, then the file goes straight to S3 as multipart/form-data,
 * never through the API. S3's refusal (a type or size the policy does not allow,
 * an expired form) is a {@link JobApiError} `UPLOAD_REFUSED` with S3's status and message.
 */
export async function uploadFile(
  send: Transport,
  fetchFn: FetchLike,
  file: Blob | Uint8Array,
  options: UploadOptions,
  okBody: (res: ApiResponse, what: string) => Record<string, unknown>,
): Promise<UploadCreated> {
  const { contentType, signal } = options;
  const blob = file instanceof Blob ? file : new Blob([file as Uint8Array<ArrayBuffer>], { type: contentType });
  const body = { contentType, contentLength: blob.size };
  // Presigning writes nothing: safe to retry.
  const res = await send({ method: 'POST', path: '/uploads', body, idempotent: true, ...(signal ? { signal } : {}) });
  const created = okBody(res, 'POST /uploads') as unknown as UploadCreated;
  const form = new FormData();
  for (const [name, value] of Object.entries(created.fields)) form.append(name, value);
  // S3 reads the file from the last field, named `file`.
  form.append('file', blob);
  const sent = await fetchFn(created.url, { method: 'POST', body: form, ...(signal ? { signal } : {}) });
  if (sent.ok) return created;
  const xml = await sent.text();
  // S3 answers in XML: <Error><Code>…</Code><Message>…</Message></Error>.
  const message = /<Message>([^<]*)/.exec(xml)?.[1] ?? xml;
  throw new JobApiError(CLIENT_ERROR_CODES.UPLOAD_REFUSED, `S3 refused the upload (${sent.status}): ${message}`, {
    status: sent.status,
    details: { key: created.key },
    body: xml,
  });
}
