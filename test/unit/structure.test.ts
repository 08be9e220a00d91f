import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { globFiles, parseCircular, parseDependencyTree } from 'dpdm';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Every folder of TypeScript the project builds, runs or tests. */
const SOURCE_GLOBS = [
  'bin',
  'lib',
  'lambda',
  'local',
  'cli',
  'client',
  'ops',
  'emulator',
  'contract',
  'bench',
  'test',
].map((dir) => `${dir}/**/*.ts`);

async function sourceFiles(): Promise<string[]> {
  const files = await Promise.all(SOURCE_GLOBS.map((glob) => globFiles(glob, ROOT)));
  return files.flat().map((f) => path.relative(ROOT, path.resolve(ROOT, f)));
}

/** Each file's imports of project files, type-only imports included. */
async function importGraph(): Promise<Record<string, string[]>> {
  const tree = await parseDependencyTree(await sourceFiles(), { context: ROOT, transform: false });
  return Object.fromEntries(
    Object.entries(tree).map(([file, deps]) => [
      file,
      (deps ?? []).map((d) => d.id).filter((id): id is string => id !== null && !id.startsWith('node_modules')),
    ]),
  );
}

describe('the source tree', () => {
  it('has no import cycles, type-only imports included', async () => {
    // Prepare
    const tree = await parseDependencyTree(await sourceFiles(), { context: ROOT, transform: false });

    // Act
    const cycles = parseCircular(tree);

    // Assess
    expect(cycles.map((c) => c.join(' -> '))).toEqual([]);
  });

  it("keeps the local runtime's core free of this app: it imports nothing from lambda/, ops/ or cli/", async () => {
    const graph = await importGraph();

    const leaks = Object.entries(graph)
      .filter(([file]) => file.startsWith('local/core/'))
      .flatMap(([file, deps]) => deps.filter((d) => /^(lambda|ops|cli)\//.test(d)).map((d) => `${file} -> ${d}`));

    expect(leaks).toEqual([]);
  });

  it('keeps the deployed functions free of the tools around them: lambda/ imports nothing from lib/, local/, cli/ or ops/', async () => {
    const graph = await importGraph();

    const leaks = Object.entries(graph)
      .filter(([file]) => file.startsWith('lambda/'))
      .flatMap(([file, deps]) =>
        deps.filter((d) => /^(lib|local|cli|ops|emulator)\//.test(d)).map((d) => `${file} -> ${d}`),
      );

    expect(leaks).toEqual([]);
  });

  it('keeps the client package on its own, as it is published: client/src imports nothing from the rest of the repository', async () => {
    const graph = await importGraph();

    const leaks = Object.entries(graph)
      .filter(([file]) => file.startsWith('client/src/'))
      .flatMap(([file, deps]) => deps.filter((d) => !d.startsWith('client/src/')).map((d) => `${file} -> ${d}`));

    expect(leaks).toEqual([]);
  });
});
