/**
 * The image work of `image.thumbnail`, apart from S3: read the header, refuse
 * what must not be decoded, then one sharp pipeline per width. sharp is loaded
 * on first use, so the other job types' workers (which bundle the same
 * registry, without sharp installed) never load it.
 */
import type { Sharp, SharpOptions } from 'sharp';
import { NonRetryableError } from '../shared/errors.js';

/** The formats thumbnails are written in. */
export const THUMBNAIL_FORMATS = ['webp', 'jpeg', 'png'] as const;
/** A thumbnail format, which is also its key's extension. */
export type ThumbnailFormat = (typeof THUMBNAIL_FORMATS)[number];

/** The formats sharp reads that the job accepts; anything else (SVG, PDF, raw) is refused before decoding. */
export const READABLE_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);

/** Encoder settings per output format: quality for size, as web thumbnails want. */
const ENCODERS: Readonly<Record<ThumbnailFormat, Record<string, unknown>>> = {
  webp: { quality: 80 },
  jpeg: { quality: 82 },
  png: { compressionLevel: 8 },
};

/** Width and height in pixels. */
export interface Size {
  readonly width: number;
  readonly height: number;
}

/** What to render. */
export interface RenderOptions {
  /** Target widths, in pixels; no thumbnail is wider than the source. */
  readonly widths: readonly number[];
  readonly format: ThumbnailFormat;
  /** PNG bytes to composite in the bottom-right corner. @default no watermark */
  readonly watermark?: Uint8Array;
  /** The most pixels a source may have; more is refused before decoding. */
  readonly maxPixels: number;
}

/** One rendered thumbnail. */
export interface RenderedThumbnail extends Size {
  /** The width asked for; the file is named after it. */
  readonly requestedWidth: number;
  readonly format: ThumbnailFormat;
  readonly data: Buffer;
}

/** The source's header, as oriented for display, and its thumbnails (as rendered, or as kept). */
export interface Rendered<T = RenderedThumbnail> {
  readonly source: Size & { readonly format: string };
  readonly thumbnails: readonly T[];
}

type SharpFactory = (input?: Buffer | Uint8Array, options?: SharpOptions) => Sharp;
let sharpModule: Promise<SharpFactory> | undefined;

/**
 * sharp, loaded once, on first use, with libvips' operation cache off: each job
 * reads another image, so the cache would only hold up to 50 MB of the worker's
 * memory for nothing.
 */
export function loadSharp(): Promise<SharpFactory> {
  sharpModule ??= import('sharp').then((m) => {
    m.default.cache(false);
    return m.default as unknown as SharpFactory;
  });
  return sharpModule;
}

/**
 * The size of a thumbnail `targetWidth` wide of a `source`: the aspect ratio
 * kept (the height rounded, at least 1 px), and never wider than the source.
 */
export function thumbnailSize(source: Size, targetWidth: number): Size {
  const width = Math.max(1, Math.min(Math.round(targetWidth), source.width));
  const height = Math.max(1, Math.round((source.height * width) / source.width));
  return { width, height };
}

/** The size a source is displayed at: EXIF orientations 5 to 8 turn it by a quarter. */
export function orientedSize(size: Size, orientation: number | undefined): Size {
  return (orientation ?? 1) >= 5 ? { width: size.height, height: size.width } : size;
}

/** Where a watermark goes on a thumbnail: its size and its top-left corner. */
export interface Placement extends Size {
  readonly left: number;
  readonly top: number;
}

/**
 * The watermark's place: a quarter of the thumbnail's width (at most its own
 * width, at most a third of the height), its aspect ratio kept, in the
 * bottom-right corner with a margin of 3% of the width. `undefined` when the
 * thumbnail is too small for a legible one (under 12 px wide).
 */
export function watermarkPlacement(thumbnail: Size, mark: Size): Placement | undefined {
  let width = Math.min(Math.round(thumbnail.width / 4), mark.width);
  let height = Math.round((width * mark.height) / mark.width);
  const maxHeight = Math.floor(thumbnail.height / 3);
  if (height > maxHeight) {
    height = maxHeight;
    width = Math.round((height * mark.width) / mark.height);
  }
  if (width < 12 || height < 4) return undefined;
  const margin = Math.max(2, Math.round(thumbnail.width * 0.03));
  return { width, height, left: thumbnail.width - width - margin, top: thumbnail.height - height - margin };
}

/** An image sharp cannot read (corrupt, truncated, not an image): the same bytes fail the same way. */
function unreadable(error: unknown): NonRetryableError {
  const reason = error instanceof Error ? error.message : String(error);
  return new NonRetryableError(`The upload is not an image this job can read: ${reason}`, { cause: error });
}

/**
 * The source's displayed size and format, from its header alone. Refuses,
 * without decoding, a format the job does not take and an image over the
 * pixel limit: a small file can declare a huge image (a decompression bomb).
 */
async function inspect(sharp: SharpFactory, input: Buffer, maxPixels: number): Promise<Rendered['source']> {
  let meta: Awaited<ReturnType<Sharp['metadata']>>;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw unreadable(error);
  }
  const format = meta.format ?? 'unknown';
  if (!READABLE_FORMATS.has(format)) {
    throw new NonRetryableError(
      `The upload is ${format}, which this job does not read; send JPEG, PNG, WebP, GIF, AVIF or TIFF.`,
    );
  }
  const width = meta.width ?? 0;
  const height = meta.pageHeight ?? meta.height ?? 0;
  if (width * height > maxPixels) {
    throw new NonRetryableError(
      `The image is ${width} x ${height} = ${width * height} pixels; the limit is ${maxPixels}. It is refused before decoding.`,
    );
  }
  return { ...orientedSize({ width, height }, meta.orientation), format };
}

/** One width of a source, rendered: oriented, resized, watermarked if asked, encoded. */
async function renderWidth(
  sharp: SharpFactory,
  input: Buffer,
  source: Size,
  requestedWidth: number,
  options: RenderOptions & { readonly markSize?: Size },
): Promise<RenderedThumbnail> {
  const size = thumbnailSize(source, requestedWidth);
  let image = sharp(input, { limitInputPixels: options.maxPixels })
    .autoOrient()
    .resize(size.width, size.height, { fit: 'fill' });
  const place = options.watermark && options.markSize ? watermarkPlacement(size, options.markSize) : undefined;
  if (options.watermark && place) {
    const mark = await sharp(options.watermark).resize(place.width, place.height, { fit: 'fill' }).png().toBuffer();
    image = image.composite([{ input: mark, left: place.left, top: place.top }]);
  }
  const { data, info } = await image
    .toFormat(options.format, ENCODERS[options.format])
    .toBuffer({ resolveWithObject: true });
  return { requestedWidth, format: options.format, width: info.width, height: info.height, data };
}

/**
 * Renders a thumbnail per width: oriented as its EXIF says, resized keeping
 * the aspect ratio, optionally watermarked, encoded as `format`, metadata
 * (EXIF, GPS) stripped. Each thumbnail goes to `keep` as soon as it is made
 * (the job writes it to S3 while the next is rendered), and the result holds
 * what `keep` returned. Throws a {@link NonRetryableError} for an image that
 * cannot or must not be decoded; what `keep` throws is passed on as is.
 */
export async function renderThumbnails<T = RenderedThumbnail>(
  input: Buffer,
  options: RenderOptions,
  keep: (thumbnail: RenderedThumbnail) => Promise<T> = async (t) => t as T,
): Promise<Rendered<T>> {
  const sharp = await loadSharp();
  const source = await inspect(sharp, input, options.maxPixels);
  const markSize = options.watermark ? await sizeOf(sharp, options.watermark).catch(() => undefined) : undefined;
  const thumbnails = await Promise.all(
    options.widths.map(async (width) => {
      let thumbnail: RenderedThumbnail;
      try {
        thumbnail = await renderWidth(sharp, input, source, width, { ...options, ...(markSize ? { markSize } : {}) });
      } catch (error) {
        throw unreadable(error);
      }
      return keep(thumbnail);
    }),
  );
  return { source, thumbnails };
}

async function sizeOf(sharp: SharpFactory, png: Uint8Array): Promise<Size> {
  const meta = await sharp(png).metadata();
  return { width: meta.width ?? 1, height: meta.height ?? 1 };
}
