/**
 * `npm run bench:bundle`: synthesizes the app, then prints each function's
 * minified bundle size and the time to import it in a fresh Node process
 * (median of 5), with its environment filled with placeholders.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outdir = path.join(root, 'cdk.out');
const LIMIT_KB = 150;
const RUNS = 5;

execFileSync('npx', ['cdk', 'synth', '--quiet', '--output', outdir], { cwd: root, stdio: 'inherit' });

type Fn = {
  Type: string;
  Properties: { Description?: string; Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: Record<string, string>;
};
const template = JSON.parse(readFileSync(path.join(outdir, 'QueueWorkers.template.json'), 'utf8')) as {
  Resources: Record<string, Fn>;
};

const rows: { name: string; kb: number; importMs: number }[] = [];
const seen = new Set<string>();
for (const [id, res] of Object.entries(template.Resources)) {
  if (res.Type !== 'AWS::Lambda::Function' || !res.Metadata?.['aws:asset:path']) continue;
  const file = path.join(outdir, res.Metadata['aws:asset:path'], 'index.js');
  const env: Record<string, string> = { ...process.env } as Record<string, string>;
  for (const [k, v] of Object.entries(res.Properties.Environment?.Variables ?? {})) {
    env[k] = typeof v === 'string' ? v : `placeholder-${k.toLowerCase()}`;
  }
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
  const name = res.Properties.Description ?? id;
  rows.push({
    name: `${name}${seen.has(file) ? ' (same bundle)' : ''}`,
    kb: statSync(file).size / 1024,
    importMs: times[2] ?? 0,
  });
  seen.add(file);
}

console.log(
  `\nNode ${process.version}; import time is the median of ${RUNS} fresh processes (AWS SDK v3 resolved from node_modules, as the Lambda runtime provides it).\n`,
);
console.log(
  `${'function'.padEnd(64)} ${'minified KB'.padStart(12)} ${'import ms'.padStart(10)}  goal <= ${LIMIT_KB} KB`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(64)} ${r.kb.toFixed(1).padStart(12)} ${r.importMs.toFixed(1).padStart(10)}  ${r.kb <= LIMIT_KB ? 'ok' : 'OVER'}`,
  );
}
if (rows.some((r) => r.kb > LIMIT_KB)) process.exitCode = 1;
