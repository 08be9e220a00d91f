import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import type { FunctionDef } from '../plan.js';

/** The module file of a handler: `index.handler` is `index.js`. */
function handlerFile(def: FunctionDef): string {
  const dot = def.handler.lastIndexOf('.');
  return `${dot > 0 ? def.handler.slice(0, dot) : 'index'}.js`;
}

/**
 * The project files a function's bundle was built from, absolute, read from its
 * source map (dependencies in node_modules left out); undefined without a map.
 */
export function bundleSources(def: FunctionDef): Set<string> | undefined {
  const map = path.join(def.codeDir, `${handlerFile(def)}.map`);
  if (!existsSync(map)) return undefined;
  try {
    const { sources = [], sourceRoot = '' } = JSON.parse(readFileSync(map, 'utf8')) as {
      sources?: string[];
      sourceRoot?: string;
    };
    const base = path.resolve(path.dirname(map), sourceRoot);
    return new Set(
      sources.map((s) => path.resolve(base, s)).filter((s) => !s.split(path.sep).includes('node_modules')),
    );
  } catch {
    return undefined;
  }
}

/** A bundle built again: where its code now is, and what it was built from. */
export interface RebuiltBundle {
  readonly codeDir: string;
  readonly sources: Set<string>;
}

/**
 * Builds one function's bundle again with the esbuild options its template
 * declares (`local:bundling`), into a fresh directory under `outRoot`. Modules the
 * bundle leaves out and its asset ships (NodejsFunction's nodeModules) are
 * linked from the asset it replaces. Throws esbuild's error when the code does not build.
 */
export async function rebuildBundle(def: FunctionDef, projectDir: string, outRoot: string): Promise<RebuiltBundle> {
  if (!def.bundling) throw new Error(`${def.displayName} declares no local:bundling`);
  const esbuild = await import('esbuild');
  const codeDir = path.join(outRoot, def.logicalId, String(Date.now()));
  mkdirSync(codeDir, { recursive: true });
  try {
    const result = await esbuild.build({
      ...(def.bundling.esbuild as Record<string, never>),
      absWorkingDir: projectDir,
      entryPoints: [path.resolve(projectDir, def.bundling.entry)],
      outfile: path.join(codeDir, handlerFile(def)),
      metafile: true,
      logLevel: 'silent',
    });
    const shipped = path.join(def.codeDir, 'node_modules');
    if (existsSync(shipped)) symlinkSync(shipped, path.join(codeDir, 'node_modules'), 'dir');
    const sources = Object.keys(result.metafile.inputs)
      .map((input) => path.resolve(projectDir, input))
      .filter((s) => !s.split(path.sep).includes('node_modules'));
    return { codeDir, sources: new Set(sources) };
  } catch (error) {
    rmSync(codeDir, { recursive: true, force: true });
    throw error;
  }
}
