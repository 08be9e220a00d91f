/**
 * A multipart/form-data body as a browser builds it for an S3 POST upload:
 * every field, then the file, last. For tests that send or check such forms
 * byte by byte.
 */
export function postFormBody(
  fields: Readonly<Record<string, string>>,
  file: Buffer,
  options: { readonly filename?: string; readonly contentType?: string } = {},
): { body: Buffer; contentType: string } {
  const boundary = `----qw-test-${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${options.filename ?? 'upload.bin'}"\r\n` +
        `Content-Type: ${options.contentType ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
