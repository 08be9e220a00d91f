import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appEntry, appSources, codeOnlyChange } from '../../../../local/core/runtime/code-reload.js';

const bundles = new Map([
  ['Api', new Set(['/p/lambda/api/routes.ts', '/p/lambda/shared/store.ts'])],
  ['Worker', new Set(['/p/lambda/worker/run.ts', '/p/lambda/shared/store.ts', '/p/lambda/jobs/simulate.ts'])],
]);
const app = new Set(['/p/bin/app.ts', '/p/lib/stack.ts', '/p/lambda/jobs/simulate.ts']);

describe('codeOnlyChange', () => {
  it('rebuilds just the bundles built from the changed files', () => {
    expect(codeOnlyChange(['/p/lambda/api/routes.ts'], bundles, app)).toEqual(['Api']);
    expect(codeOnlyChange(['/p/lambda/shared/store.ts'], bundles, app)?.sort()).toEqual(['Api', 'Worker']);
  });

  it('synthesizes when the CDK app reads a changed file: the template may change with it', () => {
    expect(codeOnlyChange(['/p/lambda/jobs/simulate.ts'], bundles, app)).toBeUndefined();
    expect(codeOnlyChange(['/p/lambda/api/routes.ts', '/p/lib/stack.ts'], bundles, app)).toBeUndefined();
  });

  it('synthesizes for a file no bundle was built from, or when what the app reads is not known', () => {
    expect(codeOnlyChange(['/p/lambda/api/new-file.ts'], bundles, app)).toBeUndefined();
    expect(codeOnlyChange(['/p/lambda/api/routes.ts'], bundles, undefined)).toBeUndefined();
  });
});

describe("the CDK app's sources", () => {
  const project = mkdtempSync(path.join(tmpdir(), 'qw-app-'));
  mkdirSync(path.join(project, 'bin'));
  mkdirSync(path.join(project, 'lib'));
  writeFileSync(path.join(project, 'bin/app.ts'), "import { stack } from '../lib/stack.js';\nstack();\n");
  writeFileSync(path.join(project, 'lib/stack.ts'), "import * as fs from 'node:fs';\nexport const stack = () => fs;\n");

  it('finds the script the app command runs', () => {
    expect(appEntry(project, 'tsx bin/app.ts')).toBe(path.join(project, 'bin/app.ts'));
    expect(appEntry(project, 'npx ts-node --prefer-ts-exts bin/app.ts')).toBe(path.join(project, 'bin/app.ts'));
    expect(appEntry(project, 'python app.py')).toBeUndefined();
    expect(appEntry(project, 'tsx bin/missing.ts')).toBeUndefined();
  });

  it("follows the app's imports to every project file it reads, packages left out", async () => {
    expect(await appSources(project, 'tsx bin/app.ts')).toEqual(
      new Set([path.join(project, 'bin/app.ts'), path.join(project, 'lib/stack.ts')]),
    );
  });
});
