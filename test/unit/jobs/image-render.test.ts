import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  orientedSize,
  renderThumbnails,
  thumbnailSize,
  watermarkPlacement,
} from '../../../lambda/jobs/image-render.js';
import { WATERMARK_PNG } from '../../../lambda/jobs/watermark.js';
import { NonRetryableError } from '../../../lambda/shared/errors.js';
import { notAnImage, photo, pngBomb, truncatedJpeg } from '../../helpers/images.js';

const LIMIT = 40_000_000;

describe('thumbnail sizes', () => {
  it.each([
    [{ width: 4000, height: 3000 }, 512, { width: 512, height: 384 }],
    [{ width: 3000, height: 4000 }, 128, { width: 128, height: 171 }],
    [{ width: 1000, height: 10 }, 128, { width: 128, height: 1 }],
    [{ width: 10, height: 1000 }, 128, { width: 10, height: 1000 }],
    [{ width: 300, height: 200 }, 512, { width: 300, height: 200 }],
  ])('keeps the aspect ratio of %j at width %i, never enlarging: %j', (source, width, expected) => {
    expect(thumbnailSize(source, width)).toEqual(expected);
  });

  it('turns the size of EXIF orientations 5 to 8 by a quarter, and leaves 1 to 4', () => {
    const size = { width: 400, height: 300 };
    for (const o of [undefined, 1, 2, 3, 4]) expect(orientedSize(size, o)).toEqual(size);
    for (const o of [5, 6, 7, 8]) expect(orientedSize(size, o)).toEqual({ width: 300, height: 400 });
  });
});

describe('watermark placement', () => {
  it('takes a quarter of the width, keeps its aspect ratio and sits bottom-right inside a margin', () => {
    // Act
    const place = watermarkPlacement({ width: 512, height: 384 }, { width: 240, height: 96 });
    // Assess
    expect(place).toEqual({ width: 128, height: 51, left: 512 - 128 - 15, top: 384 - 51 - 15 });
  });

  it('is never taller than a third of a wide, flat thumbnail', () => {
    const place = watermarkPlacement({ width: 512, height: 60 }, { width: 240, height: 96 });
    expect(place?.height).toBe(20);
    expect(place?.width).toBe(50);
  });

  it('is left out where it could not be read (under 12 px wide)', () => {
    expect(watermarkPlacement({ width: 40, height: 30 }, { width: 240, height: 96 })).toBeUndefined();
  });
});

describe('rendering thumbnails', () => {
  it('renders each width in the format asked for, keeping the aspect ratio', async () => {
    // Prepare
    const input = await photo(1200, 900);
    // Act
    const out = await renderThumbnails(input, { widths: [128, 512], format: 'webp', maxPixels: LIMIT });
    // Assess
    expect(out.source).toEqual({ width: 1200, height: 900, format: 'jpeg' });
    const metas = await Promise.all(out.thumbnails.map((t) => sharp(t.data).metadata()));
    expect(metas.map((m) => [m.format, m.width, m.height])).toEqual([
      ['webp', 128, 96],
      ['webp', 512, 384],
    ]);
    expect(out.thumbnails.map((t) => [t.requestedWidth, t.width, t.height])).toEqual([
      [128, 128, 96],
      [512, 512, 384],
    ]);
  });

  it('honours the EXIF orientation: a portrait stored sideways comes out upright, with no EXIF left', async () => {
    // Prepare: stored 800 x 600, tagged "rotate 90° clockwise to display" (6), so shown 600 x 800.
    const input = await photo(800, 600, { orientation: 6 });
    // Act
    const out = await renderThumbnails(input, { widths: [300], format: 'jpeg', maxPixels: LIMIT });
    // Assess
    expect(out.source).toMatchObject({ width: 600, height: 800 });
    const meta = await sharp(out.thumbnails[0]?.data).metadata();
    expect([meta.width, meta.height, meta.orientation, meta.exif]).toEqual([300, 400, undefined, undefined]);
  });

  it('composites the watermark in the bottom-right corner and leaves the rest of the image alone', async () => {
    // Prepare: a flat white image, so any dark pixel is the watermark's.
    const white = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    // Act
    const [plain, marked] = await Promise.all([
      renderThumbnails(white, { widths: [400], format: 'png', maxPixels: LIMIT }),
      renderThumbnails(white, { widths: [400], format: 'png', maxPixels: LIMIT, watermark: WATERMARK_PNG }),
    ]);
    // Assess: the corner got darker, the opposite corner did not.
    // stats() reads its input, not the pipeline's output: extract to a buffer first.
    const corner = async (data: Buffer | undefined, region: { left: number; top: number }) => {
      const part = await sharp(data)
        .extract({ ...region, width: 60, height: 20 })
        .toBuffer();
      return (await sharp(part).stats()).channels[0]?.mean ?? 0;
    };
    const markedData = marked.thumbnails[0]?.data;
    expect(await corner(markedData, { left: 300, top: 255 })).toBeLessThan(200);
    expect(await corner(markedData, { left: 10, top: 10 })).toBe(255);
    expect(await corner(plain.thumbnails[0]?.data, { left: 300, top: 255 })).toBe(255);
  });

  it('refuses a decompression bomb from its header, before decoding it', async () => {
    // Prepare: 50 megapixels in a small file.
    const bomb = pngBomb();
    // Act
    const started = performance.now();
    const error = await renderThumbnails(bomb, { widths: [128], format: 'webp', maxPixels: LIMIT }).catch((e) => e);
    // Assess: refused for good, and fast enough that nothing was decoded.
    expect(bomb.length).toBeLessThan(1_000_000);
    expect(error).toBeInstanceOf(NonRetryableError);
    expect(error.message).toMatch(/10000 x 5000 = 50000000 pixels; the limit is 40000000/);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it.each([
    ['bytes that are no image', async () => notAnImage()],
    ['a truncated JPEG', truncatedJpeg],
    ['an SVG', async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')],
  ])('refuses %s for good', async (_name, make) => {
    const error = await renderThumbnails(await make(), { widths: [64], format: 'webp', maxPixels: LIMIT }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(NonRetryableError);
  });
});
