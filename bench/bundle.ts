/**
 * `npm run bench:bundle`: synthesizes the app, then prints each function's
 * minified bundle size, the time to import it in a fresh Node process (median
 * of 5, its environment filled with placeholders), and its deployment package
 * zipped. A worker's native modules (the image worker's sharp, installed next
 * to the bundle) are in the zipped size, and counted apart: the 150 KB goal is
 * the bundle's. Then the producer client's browser bundle: its size and what
 * went into it (`bench/client-bundle.ts`). `npm run bench:bundle -- --only client` skips the app.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { type BundleReport, clientBundles } from './client-bundle.js';
import { zippedBytes } from './zip-size.js';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'cdk.out');
const LIMIT_KB = 150;
const CLIENT_LIMIT_KB = 15;
const RUNS = 5;
const { values: flags } = parseArgs({ options: { only: { type: 'string' } } });

/** One line per part of a bundle, largest first. */
function partLines(report: BundleReport): string {
  return report.parts.map((p) => `    ${p.name.padEnd(40)} ${(p.bytes / 1024).toFixed(1).padStart(6)} KB`).join('\n');
}

async function clientSection(): Promise<void> {
  const { typeOnly, valueImport } = await clientBundles(root);
  const forbidden = typeOnly.forbidden.length ? `CONTAINS ${typeOnly.forbidden.join(', ')}` : 'none';
  console.log(
    `\n@queue-workers/client for a browser (esbuild, ES2022, minified; bench/client-entry.ts: every call, the registry's type imported with \`import type\`)\n`,
  );
  console.log(
    `  ${typeOnly.minifiedKb.toFixed(1)} KB minified, ${typeOnly.gzipKb.toFixed(1)} KB gzipped  goal <= ${CLIENT_LIMIT_KB} KB: ${typeOnly.minifiedKb <= CLIENT_LIMIT_KB ? 'ok' : 'OVER'}`,
  );
  console.log(`  project code, zod, AWS SDK or Smithy in the metafile's inputs: ${forbidden}`);
  console.log(partLines(typeOnly));
  console.log(
    `\n  for contrast, the registry imported as a value: ${valueImport.minifiedKb.toFixed(1)} KB, bringing ${valueImport.forbidden.join(', ') || 'nothing more'}`,
  );
  if (typeOnly.minifiedKb > CLIENT_LIMIT_KB || typeOnly.forbidden.length) process.exitCode = 1;
  // The check must see what it looks for, or its "none" above means nothing.
  if (!valueImport.forbidden.length) process.exitCode = 1;
}

if (flags.only === 'client') {
  await clientSection();
} else {
  functionSection();
  await clientSection();
}

type FunctionRow = { name: string; kb: number; importMs: number; zippedKb: number; nativeKb?: number };

/** The median time, over RUNS fresh processes, to import a bundle with its environment set. */
function importMs(file: string, env: Record<string, string>): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t))`,
      ],
      { env, cwd: root },
    );
    times.push(Number(out.toString()));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)] ?? 0;
}

function functionSection(): void {
  execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], { cwd: root, stdio: 'inherit' });

  type Fn = {
    Type: string;
    Properties: { Description?: string; Environment?: { Variables?: Record<string, unknown> } };
    Metadata?: Record<string, string>;
  };
  const template = JSON.parse(readFileSync(path.join(outdir, 'QueueWorkers.template.json'), 'utf8')) as {
    Resources: Record<string, Fn>;
  };

  const rows: FunctionRow[] = [];
  const seen = new Set<string>();
  for (const [id, res] of Object.entries(template.Resources)) {
    if (res.Type !== 'AWS::Lambda::Function' || !res.Metadata?.['aws:asset:path']) continue;
    const assetDir = path.join(outdir, res.Metadata['aws:asset:path']);
    const file = path.join(assetDir, 'index.js');
    const hasNative = existsSync(path.join(assetDir, 'node_modules'));
    const env: Record<string, string> = { ...process.env } as Record<string, string>;
    for (const [k, v] of Object.entries(res.Properties.Environment?.Variables ?? {})) {
      env[k] = typeof v === 'string' ? v : `placeholder-${k.toLowerCase()}`;
    }
    const name = res.Properties.Description ?? id;
    rows.push({
      name: `${name}${seen.has(file) ? ' (same bundle)' : ''}`,
      kb: statSync(file).size / 1024,
      importMs: importMs(file, env),
      zippedKb: zippedBytes(assetDir) / 1024,
      ...(hasNative ? { nativeKb: zippedBytes(assetDir, (f) => f.startsWith('node_modules')) / 1024 } : {}),
    });
    seen.add(file);
  }

  console.log(
    `\nNode ${process.version}; import time is the median of ${RUNS} fresh processes (AWS SDK v3 resolved from node_modules, as the Lambda runtime provides it).\n`,
  );
  console.log(
    `${'function'.padEnd(64)} ${'minified KB'.padStart(12)} ${'import ms'.padStart(10)} ${'zipped KB'.padStart(10)}  goal <= ${LIMIT_KB} KB minified`,
  );
  for (const r of rows) {
    const native =
      r.nativeKb !== undefined ? `  (${r.nativeKb.toFixed(0)} KB of it native modules, outside the goal)` : '';
    console.log(
      `${r.name.padEnd(64)} ${r.kb.toFixed(1).padStart(12)} ${r.importMs.toFixed(1).padStart(10)} ${r.zippedKb.toFixed(1).padStart(10)}  ${r.kb <= LIMIT_KB ? 'ok' : 'OVER'}${native}`,
    );
  }
  console.log('\nzipped: the deployment package (bundle, source map and any node_modules), deflated as a ZIP.');
  if (rows.some((r) => r.kb > LIMIT_KB)) process.exitCode = 1;
}
