import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleSources, rebuildBundle } from '../../../../local/core/functions/rebuild.js';
import type { FunctionDef } from '../../../../local/core/plan.js';

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'qw-rebuild-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(
    path.join(dir, 'src/handler.ts'),
    "import { answer } from './answer.js';\nexport const handler = async () => answer;\n",
  );
  writeFileSync(path.join(dir, 'src/answer.ts'), 'export const answer: number = 42;\n');
  return dir;
}

function def(codeDir: string): FunctionDef {
  return {
    logicalId: 'Fn',
    displayName: 'Fn',
    functionName: 'fn',
    arn: '',
    codeDir,
    handler: 'index.handler',
    runtime: 'nodejs24.x',
    timeoutSeconds: 3,
    memoryMb: 128,
    architecture: 'arm64',
    environment: {},
    bundling: {
      entry: 'src/handler.ts',
      esbuild: {
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node24',
        sourcemap: true,
        external: ['left-out'],
      },
    },
  };
}

describe('rebuildBundle', () => {
  it('builds the function again with its declared esbuild options, and knows what it was built from', async () => {
    const dir = project();
    const asset = path.join(dir, 'asset');
    mkdirSync(path.join(asset, 'node_modules'), { recursive: true });

    const rebuilt = await rebuildBundle(def(asset), dir, path.join(dir, '.qw/bundles'));

    const code = readFileSync(path.join(rebuilt.codeDir, 'index.js'), 'utf8');
    expect(code).toContain('42');
    expect(code).toContain('module.exports');
    expect(rebuilt.sources).toEqual(new Set([path.join(dir, 'src/handler.ts'), path.join(dir, 'src/answer.ts')]));
    // What the asset ships beside its bundle (NodejsFunction's nodeModules) stays reachable.
    expect(existsSync(path.join(rebuilt.codeDir, 'node_modules'))).toBe(true);
    // The new bundle's source map names the same sources, for the next change.
    expect(bundleSources({ ...def(rebuilt.codeDir) })).toEqual(rebuilt.sources);
  });

  it("fails with esbuild's error when the code does not build, leaving nothing behind", async () => {
    const dir = project();
    writeFileSync(path.join(dir, 'src/answer.ts'), 'export const answer = ;\n');
    await expect(rebuildBundle(def(path.join(dir, 'asset')), dir, path.join(dir, '.qw/bundles'))).rejects.toThrow(
      /answer.ts/,
    );
    expect(readdirSync(path.join(dir, '.qw/bundles/Fn'))).toEqual([]);
  });
});
