/**
 * A plain node:http server with the route a web app needs: `POST /photos`
 * takes an upload, stores it, and submits a job about it; `GET /photos/{id}`
 * follows that job. The job is `webhook.deliver` (telling an image service
 * where the upload is) until the `image.thumbnail` job type exists.
 *
 *   npm start                                # the job API on http://127.0.0.1:3000
 *   npx tsx client/examples/upload-route.ts  # this app on http://127.0.0.1:8080
 *   curl --data-binary @photo.jpg -H 'content-type: image/jpeg' http://127.0.0.1:8080/photos
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as path from 'node:path';
import { createJobClient, JobApiError } from '@queue-workers/client';
import type { jobTypes } from '../../lambda/jobs/registry.js';

const jobs = createJobClient<typeof jobTypes>({
  url: process.env.JOBS_API_URL ?? 'http://127.0.0.1:3000',
  // Deployed with IAM auth: { iam: fromNodeProviderChain(), region } (from @aws-sdk/credential-providers).
  auth: 'none',
});
const uploads = path.resolve(process.env.UPLOAD_DIR ?? '.qw/uploads');
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

async function readUpload(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_UPLOAD_BYTES) throw new Error('upload too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function acceptPhoto(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const bytes = await readUpload(req);
  // The key is the content's hash: the browser retrying this upload gets the same job, never a second one.
  const key = createHash('sha256').update(bytes).digest('hex');
  await mkdir(uploads, { recursive: true });
  await writeFile(path.join(uploads, key), bytes);
  const accepted = await jobs.submit(
    'webhook.deliver',
    {
      url: process.env.IMAGE_SERVICE_URL ?? 'https://images.example.com/thumbnails',
      body: { key, contentType: req.headers['content-type'] ?? 'application/octet-stream', size: bytes.length },
    },
    { idempotencyKey: `photo-${key}` },
  );
  send(res, 202, { photo: key, jobId: accepted.jobId, follow: `/photos/${accepted.jobId}` });
}

async function photoStatus(jobId: string, res: ServerResponse): Promise<void> {
  const job = await jobs.get('webhook.deliver', jobId);
  if (job.status === 'succeeded') send(res, 200, { status: job.status, delivered: job.result.status });
  else send(res, 200, { status: job.status, attempts: job.attempts, error: job.error?.message });
}

/** A path segment decoded; `undefined` for a malformed percent-escape (`%`, `%zz`), which is the client's mistake. */
function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const server = createServer(async (req, res) => {
  try {
    if (req.method === 'POST' && req.url === '/photos') return await acceptPhoto(req, res);
    const follow = /^\/photos\/([^/]+)$/.exec(req.url ?? '');
    if (req.method === 'GET' && follow?.[1]) {
      const jobId = decoded(follow[1]);
      if (jobId === undefined) return send(res, 400, { error: 'malformed percent-escape in the path' });
      return await photoStatus(jobId, res);
    }
    send(res, 404, { error: 'not found' });
  } catch (error) {
    // The job API's refusals keep their meaning: a 404 is a 404 here too; anything else is this app's 502.
    if (error instanceof JobApiError && error.status === 404) return send(res, 404, { error: 'no such job' });
    const detail = error instanceof JobApiError ? `${error.code} (request ${error.requestId ?? 'n/a'})` : String(error);
    send(res, 502, { error: `could not queue the photo: ${detail}` });
  }
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`photos app on http://127.0.0.1:${Number(process.env.PORT ?? 8080)}, jobs at ${jobs.url}`);
});
