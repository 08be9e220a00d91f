/**
 * `npm run bench:images`: N generated 12-megapixel JPEGs (BENCH_IMAGES, default
 * 20) through the whole local flow: POST /uploads, the presigned POST to the
 * local S3, POST /jobs (image.thumbnail, 128 and 512 px WebP), until the job is
 * `succeeded`.
 *
 * 1. One at a time: upload-to-succeeded latency, and the worker's own time per
 *    image (its "job succeeded" log line: the handler's S3 read, sharp and S3
 *    writes), next to a bare sharp call on the same image in the same process
 *    just before and just after it (header read, then each width resized and
 *    encoded, as the worker does, with no S3, queue or bookkeeping). Pairing each
 *    image with its bare calls keeps the comparison fair on a busy machine. The goal: the worker
 *    adds at most 20% (the median of the per-image ratios).
 * 2. All at once (BENCH_CLIENTS uploads in flight, default 8): upload-to-succeeded
 *    p50 and p95, and images per second.
 */
import sharp from 'sharp';
import { createOutput, type LocalRuntime, type Output, startLocal } from '../local/index.js';
import { photo } from '../test/helpers/images.js';
import { postToS3, type UploadCreated } from '../test/helpers/uploads.js';

const IMAGES = Number(process.env.BENCH_IMAGES ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const WIDTHS = [128, 512];
const GOAL_OVERHEAD = 0.2;

/** The worker's "job succeeded" durations, by job id, read from its log lines. */
const workerMs = new Map<string, number>();
/** Who waits for which job to finish: resolved from the worker's log line, so the client polls no API meanwhile. */
const waiting = new Map<string, (outcome: 'succeeded' | 'failed') => void>();
/** The worker's "thumbnails written" breakdown, by job id: reading the upload, then rendering and writing. */
const phases = new Map<string, { readMs: number; thumbnailsMs: number }>();

/** Runtime output that keeps the worker's durations and prints only the runtime's own lines. */
function benchOutput(): Output {
  const printed = createOutput({ functionLogs: false, liveStatus: false, stream: process.stderr });
  return {
    ...printed,
    functionLine(_name, line) {
      if (!line.startsWith('{')) return;
      try {
        const entry = JSON.parse(line) as {
          message?: string;
          jobId?: string;
          durationMs?: number;
          readMs?: number;
          thumbnailsMs?: number;
        };
        if (entry.message === 'job succeeded' && entry.jobId && entry.durationMs !== undefined) {
          workerMs.set(entry.jobId, entry.durationMs);
        }
        if (entry.jobId && /^job (succeeded|failed|is out of attempts)/.test(entry.message ?? '')) {
          waiting.get(entry.jobId)?.(entry.message === 'job succeeded' ? 'succeeded' : 'failed');
        }
        if (entry.message === 'thumbnails written' && entry.jobId) {
          phases.set(entry.jobId, { readMs: entry.readMs ?? 0, thumbnailsMs: entry.thumbnailsMs ?? 0 });
        }
      } catch {
        // Not a JSON line.
      }
    },
  };
}

async function request<T>(runtime: LocalRuntime, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${runtime.url}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const parsed = (await res.json()) as T;
  if (res.status >= 400) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(parsed)}`);
  return parsed;
}

/** One image through the whole flow; resolves with its job id and upload-to-succeeded milliseconds. */
async function throughFlow(runtime: LocalRuntime, image: Buffer): Promise<{ jobId: string; ms: number }> {
  const started = performance.now();
  const upload = await request<UploadCreated>(runtime, 'POST', '/uploads', {
    contentType: 'image/jpeg',
    contentLength: image.length,
  });
  const sent = await postToS3(upload, image, { contentType: 'image/jpeg' });
  if (sent.status !== 204) throw new Error(`the upload answered ${sent.status}: ${await sent.text()}`);
  const { jobId } = await request<{ jobId: string }>(runtime, 'POST', '/jobs', {
    type: 'image.thumbnail',
    payload: { key: upload.key, widths: WIDTHS },
  });
  // Polling GET /jobs every few milliseconds would take CPU from the worker it measures; the worker's own
  // outcome line says when the job is done (the record is written by then), and one read confirms it.
  const outcome = new Promise<'succeeded' | 'failed'>((resolve) => waiting.set(jobId, resolve));
  // A job that ended before the line was awaited, or whose line never came, is found by the read below.
  if (!workerMs.has(jobId)) await Promise.race([outcome, new Promise((r) => setTimeout(r, 120_000).unref())]);
  const ms = performance.now() - started;
  waiting.delete(jobId);
  const job = await request<{ status: string; error?: unknown }>(runtime, 'GET', `/jobs/${jobId}`);
  if (job.status !== 'succeeded') throw new Error(`job ${jobId} is ${job.status}: ${JSON.stringify(job.error)}`);
  return { jobId, ms };
}

/** The bare sharp work the worker does per image: read the header, then every width resized and encoded. */
async function bareSharp(image: Buffer): Promise<number> {
  const started = performance.now();
  const meta = await sharp(image).metadata();
  await Promise.all(
    WIDTHS.map((width) =>
      sharp(image)
        .autoOrient()
        .resize(width, Math.round(((meta.height ?? 1) * width) / (meta.width ?? 1)), { fit: 'fill' })
        .webp({ quality: 80 })
        .toBuffer(),
    ),
  );
  return performance.now() - started;
}

const median = (xs: readonly number[]) => percentile(xs, 50);
function percentile(xs: readonly number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}
const ms = (x: number) => `${x.toFixed(0)} ms`;

async function main(): Promise<void> {
  // As the worker runs it (lambda/jobs/image-render.ts): without libvips' operation cache, which would serve the
  // second bare call on an image from the first and make sharp look faster than any job can see it.
  sharp.cache(false);
  console.log(`Generating ${IMAGES} 4000 x 3000 JPEGs ...`);
  const images = await Promise.all(
    Array.from({ length: IMAGES }, (_, i) => photo(4000, 3000, { seed: i + 1, grain: 20 })),
  );
  const mb = images.reduce((a, b) => a + b.length, 0) / IMAGES / 1e6;
  console.log(`  ${mb.toFixed(1)} MB each on average`);
  // Success lines are DEBUG (log bytes are billed per job); the bench reads each job's end from them.
  const runtime = await startLocal({
    port: 0,
    output: benchOutput(),
    functionEnvironment: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
  });
  try {
    // A warm worker with sharp loaded, as a steady flow has one.
    await throughFlow(runtime, images[0] as Buffer);

    console.log('\n1. One image at a time');
    const sequential: { jobId: string; ms: number }[] = [];
    const bare: number[] = [];
    for (const image of images) {
      // The bare call just before and just after the image's flow, averaged: a machine whose load drifts
      // (other work on it) weighs on both sides of the comparison alike.
      const before = await bareSharp(image);
      sequential.push(await throughFlow(runtime, image));
      bare.push((before + (await bareSharp(image))) / 2);
    }
    const worker = sequential.map((s) => workerMs.get(s.jobId) ?? Number.NaN);
    const overhead = median(worker.map((w, i) => w / (bare[i] ?? Number.NaN))) - 1;
    console.log(
      `  upload -> succeeded     p50 ${ms(median(sequential.map((s) => s.ms)))}, p95 ${ms(
        percentile(
          sequential.map((s) => s.ms),
          95,
        ),
      )}`,
    );
    console.log(
      `  worker per image        p50 ${ms(median(worker))}, p95 ${ms(percentile(worker, 95))}  (S3 read, sharp, S3 writes)`,
    );
    const phase = (k: 'readMs' | 'thumbnailsMs') => median(sequential.map((q) => phases.get(q.jobId)?.[k] ?? 0));
    console.log(
      `    of which (medians)    read the upload ${ms(phase('readMs'))}, render and write the thumbnails ${ms(phase('thumbnailsMs'))}`,
    );
    console.log(`  bare sharp per image    p50 ${ms(median(bare))}, p95 ${ms(percentile(bare, 95))}`);
    console.log(
      `  worker over bare sharp  ${overhead >= 0 ? '+' : ''}${(overhead * 100).toFixed(0)}% (median of the per-image ratios)   goal <= +${GOAL_OVERHEAD * 100}%: ${overhead <= GOAL_OVERHEAD ? 'ok' : 'OVER'}`,
    );

    console.log(`\n2. All at once, ${CLIENTS} uploads in flight`);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < images.length) latencies.push((await throughFlow(runtime, images[next++] as Buffer)).ms);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(`  upload -> succeeded     p50 ${ms(median(latencies))}, p95 ${ms(percentile(latencies, 95))}`);
    console.log(
      `  throughput              ${(IMAGES / seconds).toFixed(2)} images/s (${IMAGES} in ${seconds.toFixed(1)} s)`,
    );
    console.log(
      `\nNode ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${IMAGES} images, widths ${WIDTHS.join(' and ')} px WebP`,
    );
    if (overhead > GOAL_OVERHEAD) process.exitCode = 1;
  } finally {
    await runtime.stop();
  }
}

await main();
