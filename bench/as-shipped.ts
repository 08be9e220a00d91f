/**
 * Runs a benchmark on code built as the functions are built for Lambda
 * (`lib/function.ts`: one esbuild bundle, minified, for Node 24), rather than
 * through tsx, which transforms each file on its own and keeps every
 * function's name with a helper call. Both sides of a comparison are in the
 * same bundle. Usage: `tsx bench/as-shipped.ts bench/worker.ts [args]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: tsx bench/as-shipped.ts <bench entry> [args]');
  process.exit(2);
}
const dir = mkdtempSync(path.join(tmpdir(), 'qw-bench-'));
const outfile = path.join(dir, `${path.basename(entry, '.ts')}.mjs`);
try {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    minify: true,
    // ESM for the benchmark's top-level await; the CommonJS packages inside still need `require`.
    format: 'esm',
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  const run = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
