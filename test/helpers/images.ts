/**
 * Images for the tests and the benchmark, made on the spot with sharp: photos
 * of a given size (smooth colour fields, so they compress as photos do, with an
 * EXIF orientation if asked), a decompression bomb, and bytes that are no image.
 */
import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

/** Options of {@link photo}. */
export interface PhotoOptions {
  /** The EXIF orientation tag (1-8) to write. @default none */
  readonly orientation?: number;
  /** @default 'jpeg' */
  readonly format?: 'jpeg' | 'png' | 'webp';
  /** Seed of the colour field; the same seed gives the same image. @default 1 */
  readonly seed?: number;
  /**
   * Film grain: Gaussian noise of this standard deviation over the colour field,
   * so the file has a camera photo's detail and size (a 12-megapixel JPEG of
   * some megabytes), not a smooth field's few hundred kilobytes. @default none
   */
  readonly grain?: number;
}

/** A deterministic pseudo-random generator (mulberry32), so images are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A photo-like image of `width` x `height` stored pixels: a small grid of
 * random colours blown up with a smooth kernel. With an orientation of 5 to 8
 * it is displayed turned by a quarter, as a phone's portrait photo is.
 */
export async function photo(width: number, height: number, options: PhotoOptions = {}): Promise<Buffer> {
  const next = random(options.seed ?? 1);
  const grid = Buffer.alloc(16 * 12 * 3);
  for (let i = 0; i < grid.length; i++) grid[i] = Math.floor(next() * 256);
  let image = sharp(grid, { raw: { width: 16, height: 12, channels: 3 } }).resize(width, height, {
    fit: 'fill',
    kernel: 'cubic',
  });
  if (options.grain) {
    const noise = await sharp({
      create: {
        width,
        height,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma: options.grain },
      },
    })
      .png({ compressionLevel: 0 })
      .toBuffer();
    image = sharp(await image.raw().toBuffer(), { raw: { width, height, channels: 3 } }).composite([
      { input: noise, blend: 'overlay' },
    ]);
  }
  if (options.orientation) image = image.withMetadata({ orientation: options.orientation });
  const format = options.format ?? 'jpeg';
  return image.toFormat(format, format === 'jpeg' ? { quality: 85 } : {}).toBuffer();
}

function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a valid, black, RGB PNG of `width` x `height` (50
 * megapixels by default) that compresses to a few hundred kilobytes and would
 * take 150 MB to decode.
 */
export function pngBomb(width = 10_000, height = 5_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter method, no interlace
  // Each row is a filter byte (0, none) and width x 3 black samples: all zeros, which deflate squeezes 1000 to 1.
  const pixels = deflateSync(Buffer.alloc((width * 3 + 1) * height), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Bytes that are no image at all, for an upload declared as a JPEG. */
export function notAnImage(bytes = 4096): Buffer {
  return randomBytes(bytes);
}

/** A JPEG cut short: its header is fine, its pixels end too soon. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await photo(640, 480);
  return whole.subarray(0, Math.floor(whole.length / 3));
}
