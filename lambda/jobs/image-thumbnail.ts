import { GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { NonRetryableError, RetryableError, ServiceUnavailableError, UploadNotFoundError } from '../shared/errors.js';
import { quote } from '../shared/quote.js';
import { s3FailureKind } from '../shared/s3-errors.js';
import { BUCKET_AREAS, type JobStorage, uploadKeyProblem } from '../shared/storage.js';
import * as z from '../shared/zod.js';
import { defineJobType, type JobContext, type ResultLinks } from './define.js';
import { type RenderedThumbnail, renderThumbnails, THUMBNAIL_FORMATS, type ThumbnailFormat } from './image-render.js';

/**
 * The most pixels a source may have: 40 megapixels, 160 MB decoded as RGBA,
 * which the worker's 1,536 MB hold with room; more is refused unread.
 */
export const MAX_INPUT_PIXELS = 40_000_000;

/** The largest upload the worker reads, in bytes; the API presigns at most this much (`lib/job-bucket.ts`). */
export const MAX_INPUT_BYTES = 100 * 1024 * 1024;

/** Widths made when a job names none. */
export const DEFAULT_WIDTHS: readonly number[] = [128, 512];

/** Payload of an `image.thumbnail` job. */
export const imageThumbnailPayload = z.strictObject({
  /** The upload's key, as `POST /uploads` answered it: `uploads/<uploadId>`. */
  key: z.string().check(z.minLength(1), z.maxLength(1024)),
  /** Thumbnail widths in pixels, each made once; no thumbnail is wider than the image. */
  widths: z.optional(
    z.array(z.number().check(z.int(), z.minimum(16), z.maximum(4096))).check(
      z.minLength(1),
      z.maxLength(8),
      z.refine((ws) => new Set(ws).size === ws.length, 'must not repeat a width'),
    ),
  ),
  /** The thumbnails' format. */
  format: z.optional(z.enum(THUMBNAIL_FORMATS)),
  /** Composite the project's watermark in the bottom-right corner. */
  watermark: z.optional(z.boolean()),
});

/** Payload of an `image.thumbnail` job, as validated. */
export type ImageThumbnailPayload = z.infer<typeof imageThumbnailPayload>;

/** One thumbnail, as the job's result stores it. */
export interface StoredThumbnail {
  readonly width: number;
  readonly height: number;
  readonly format: ThumbnailFormat;
  readonly key: string;
  readonly bytes: number;
}

/** The result of an `image.thumbnail` job, as stored. */
export interface ThumbnailResult {
  readonly source: { readonly width: number; readonly height: number; readonly format: string };
  readonly thumbnails: readonly StoredThumbnail[];
}

const CONTENT_TYPES: Readonly<Record<ThumbnailFormat, string>> = {
  webp: 'image/webp',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

/** Where a job's thumbnail of `width` goes: the same key on every attempt, so a retry overwrites. */
export function thumbnailKey(jobId: string, width: number, format: ThumbnailFormat): string {
  return `${BUCKET_AREAS.thumbnails}${jobId}/${width}.${format}`;
}

/** The bucket, which the worker gets because the type declares storage access. */
function storageOf(ctx: JobContext): JobStorage {
  if (!ctx.storage) throw new NonRetryableError('image.thumbnail needs the stack bucket; its worker was given none.');
  return ctx.storage;
}

/** A failed S3 call, as a job failure: retried when S3 may answer next time. */
function s3Failure(error: unknown, operation: 'read' | 'write', what: string): Error {
  const kind = s3FailureKind(error, operation);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (kind === 'retryable') return new RetryableError(`S3 could not ${what} (${reason}); retrying.`, { cause: error });
  if (kind === 'missing') return new NonRetryableError(`Nothing to ${what}: the object is gone (expired or deleted).`);
  return new NonRetryableError(`S3 refused to ${what} (${reason}).`, { cause: error });
}

/** The upload's bytes; refuses one over {@link MAX_INPUT_BYTES} before reading it. */
async function readUpload(storage: JobStorage, key: string, signal: AbortSignal): Promise<Buffer> {
  try {
    const out = await storage.s3.send(new GetObjectCommand({ Bucket: storage.bucket, Key: key }), {
      abortSignal: signal,
    });
    if ((out.ContentLength ?? 0) > MAX_INPUT_BYTES) {
      out.Body?.transformToWebStream().cancel();
      throw new NonRetryableError(`The upload is ${out.ContentLength} bytes; the limit is ${MAX_INPUT_BYTES}.`);
    }
    const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
    // A view, not a copy: the bytes are already this job's own.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (error instanceof NonRetryableError) throw error;
    throw s3Failure(error, 'read', `read the upload ${quote(key)}`);
  }
}

async function writeThumbnail(
  storage: JobStorage,
  jobId: string,
  thumbnail: RenderedThumbnail,
  signal: AbortSignal,
): Promise<StoredThumbnail> {
  const key = thumbnailKey(jobId, thumbnail.requestedWidth, thumbnail.format);
  try {
    await storage.s3.send(
      new PutObjectCommand({
        Bucket: storage.bucket,
        Key: key,
        Body: thumbnail.data,
        ContentType: CONTENT_TYPES[thumbnail.format],
      }),
      { abortSignal: signal },
    );
  } catch (error) {
    throw s3Failure(error, 'write', `write ${key}`);
  }
  const { width, height, format } = thumbnail;
  return { width, height, format, key, bytes: thumbnail.data.length };
}

/** Reads the upload, renders each width and writes the thumbnails; see {@link imageThumbnail}. */
async function makeThumbnails(payload: ImageThumbnailPayload, ctx: JobContext): Promise<ThumbnailResult> {
  const storage = storageOf(ctx);
  const problem = uploadKeyProblem(payload.key);
  if (problem) throw new NonRetryableError(`${quote(payload.key)} is not an upload's key: ${problem}.`);
  const started = performance.now();
  const input = await readUpload(storage, payload.key, ctx.signal);
  const read = performance.now();
  const watermark = payload.watermark ? (await import('./watermark.js')).WATERMARK_PNG : undefined;
  const widths = payload.widths ?? DEFAULT_WIDTHS;
  let written = 0;
  // Each thumbnail is written as soon as it is made, while the next is rendered; the job's progress
  // is the share of widths written (stored at most once a second, the last with the outcome).
  const rendered = await renderThumbnails(
    input,
    {
      widths,
      format: payload.format ?? 'webp',
      maxPixels: MAX_INPUT_PIXELS,
      ...(watermark ? { watermark } : {}),
    },
    async (thumbnail) => {
      const kept = await writeThumbnail(storage, ctx.jobId, thumbnail, ctx.signal);
      written += 1;
      await ctx.progress(Math.round((written / widths.length) * 100));
      return kept;
    },
  );
  // Where an image's time goes: reading the upload, then rendering and writing the thumbnails.
  ctx.logger.info('thumbnails written', {
    key: payload.key,
    bytes: input.length,
    source: rendered.source,
    count: rendered.thumbnails.length,
    readMs: Math.round(read - started),
    thumbnailsMs: Math.round(performance.now() - read),
  });
  return { source: rendered.source, thumbnails: rendered.thumbnails };
}

/** At submit time: the upload must be under `uploads/` and exist (HeadObject), else a 422. */
async function checkUploadExists(payload: ImageThumbnailPayload, storage: JobStorage): Promise<void> {
  const problem = uploadKeyProblem(payload.key);
  if (problem) throw new UploadNotFoundError(payload.key, problem);
  try {
    await storage.s3.send(new HeadObjectCommand({ Bucket: storage.bucket, Key: payload.key }));
  } catch (error) {
    if (s3FailureKind(error, 'read') === 'missing') {
      throw new UploadNotFoundError(payload.key, 'no object has this key (never uploaded, or expired)');
    }
    throw new ServiceUnavailableError('S3 did not answer whether the upload exists; retry the request.', error);
  }
}

const storedResult = z.object({
  thumbnails: z.array(z.object({ key: z.string(), width: z.number(), height: z.number() })),
});

/** The stored result with a presigned download URL on each thumbnail, minted when the job is read. */
async function withDownloadUrls(result: unknown, links: ResultLinks): Promise<unknown> {
  const parsed = z.safeParse(storedResult, result);
  if (!parsed.success) return result;
  const thumbnails = (result as { thumbnails: Record<string, unknown>[] }).thumbnails;
  return {
    ...(result as object),
    thumbnails: await Promise.all(
      thumbnails.map(async (t, i) => ({ ...t, url: await links.downloadUrl(parsed.data.thumbnails[i]?.key ?? '') })),
    ),
  };
}

/**
 * Makes thumbnails of an uploaded image: honours its EXIF orientation, refuses
 * it unread over {@link MAX_INPUT_PIXELS}, resizes it to each width keeping the
 * aspect ratio, optionally composites the project's watermark, and writes
 * `thumbnails/<jobId>/<width>.<format>`. A corrupt or unsupported file fails
 * at once (non-retryable); S3 throttling and timeouts are retried.
 */
export const imageThumbnail = defineJobType({
  name: 'image.thumbnail',
  description:
    'Makes thumbnails of an upload: EXIF orientation honoured, aspect ratio kept, optional watermark; writes thumbnails/<jobId>/<width>.<format>.',
  payload: imageThumbnailPayload,
  queue: {
    memoryMb: 1536,
    timeoutSeconds: 60,
    maxAttempts: 3,
    batchSize: 5,
    concurrencyPerBatch: 2,
    backoff: { baseSeconds: 2, capSeconds: 60 },
  },
  storage: { read: ['uploads'], write: ['thumbnails'] },
  nativeModules: ['sharp'],
  precheck: checkUploadExists,
  presentResult: withDownloadUrls,
  handler: makeThumbnails,
});
