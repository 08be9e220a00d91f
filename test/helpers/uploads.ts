/**
 * The client's side of an upload, as an app does it: ask the API for a
 * presigned POST, send the file straight to S3 as a form, then submit the job.
 */

import type { UploadCreated } from '@queue-workers/client';

/** The `201` body of `POST /uploads`, as the client types it. */
export type { UploadCreated };

/**
 * Sends `file` to a presigned POST: every field, then the file last, as
 * multipart/form-data (FormData puts them in that order). Returns S3's answer.
 */
export function postToS3(
  created: Pick<UploadCreated, 'url' | 'fields'>,
  file: Buffer,
  options: { readonly contentType?: string; readonly fields?: Readonly<Record<string, string>> } = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...created.fields, ...options.fields })) form.append(name, value);
  form.append(
    'file',
    new Blob([new Uint8Array(file)], { type: options.contentType ?? 'application/octet-stream' }),
    'upload',
  );
  return fetch(created.url, { method: 'POST', body: form });
}
