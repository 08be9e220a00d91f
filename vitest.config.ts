import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

/**
 * PNGs imported by functions are their bytes, as esbuild's binary loader
 * bundles them for Lambda (`lib/function.ts`); Vite would otherwise make them URLs.
 */
const pngAsBytes: Plugin = {
  name: 'png-as-bytes',
  enforce: 'pre',
  load(id) {
    if (!id.endsWith('.png')) return undefined;
    const base64 = readFileSync(id).toString('base64');
    return `export default new Uint8Array(Buffer.from(${JSON.stringify(base64)}, 'base64'));`;
  },
};

export default defineConfig({
  test: {
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    projects: [
      // The client package's own tests run with the unit tests: `npm run test:client` runs them alone.
      {
        plugins: [pngAsBytes],
        test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'client/test/**/*.test.ts'], testTimeout: 10_000 },
      },
      {
        plugins: [pngAsBytes],
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        plugins: [pngAsBytes],
        test: {
          name: 'integ',
          include: ['test/integ/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [pngAsBytes],
        test: {
          name: 'chaos',
          include: ['test/chaos/**/*.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        plugins: [pngAsBytes],
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
