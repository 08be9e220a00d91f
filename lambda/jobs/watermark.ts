/**
 * The watermark `image.thumbnail` composites: a PNG shipped with the project
 * (`assets/watermark.png`), not SVG text, because Lambda has no fonts to draw
 * text with. The bundler embeds its bytes (esbuild's binary loader, set in
 * `lib/function.ts`), so it costs the bundle 1.8 KB and no file read. Loaded
 * only by a job that asks for a watermark.
 */
import png from './assets/watermark.png';

/** The watermark's PNG bytes. */
export const WATERMARK_PNG: Uint8Array = png;
