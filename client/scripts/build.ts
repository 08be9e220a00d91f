/**
 * `npm run build:client`: the folder to publish `@queue-workers/client` from,
 * `client/dist/` (or `--out <dir>`): JavaScript and declarations compiled from
 * src/ for browsers and Node alike, the README, and a package.json whose
 * exports point at them. In this repository the package is used from its
 * TypeScript sources (its own package.json exports src/index.ts), so nothing
 * else needs this build. Publish with `npm publish client/dist`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const here = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = path.resolve(values.out ?? path.join(here, 'dist'));

rmSync(out, { recursive: true, force: true });
execFileSync('npx', ['tsc', '-p', path.join(here, 'tsconfig.json'), '--outDir', out], { stdio: 'inherit' });

const source = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8')) as Record<string, unknown>;
// The source manifest is private so that it cannot be published by mistake; the built one is what is published.
const { private: _private, exports: _sourceExports, ...manifest } = source;
const published = {
  ...manifest,
  main: './index.js',
  types: './index.d.ts',
  exports: {
    '.': { types: './index.d.ts', default: './index.js' },
    './package.json': './package.json',
  },
};
writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
copyFileSync(path.join(here, 'README.md'), path.join(out, 'README.md'));
console.log(`Built @queue-workers/client ${String(source.version)} in ${path.relative(process.cwd(), out) || '.'}`);
