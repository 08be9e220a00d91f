import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Plugin } from 'esbuild';
import { bundleSources, rebuildBundle } from '../functions/rebuild.js';
import type { FunctionDef, LocalPlan } from '../plan.js';

/**
 * The logical ids of the functions whose bundles must be rebuilt for a change
 * to `changed` files, or undefined when the change needs a synth: a file the
 * CDK app itself reads (a job type's settings, a construct), a file no bundle
 * was built from, or an app whose sources are not known.
 */
export function codeOnlyChange(
  changed: readonly string[],
  bundles: ReadonlyMap<string, ReadonlySet<string>>,
  appSources: ReadonlySet<string> | undefined,
): string[] | undefined {
  if (!appSources || !changed.length) return undefined;
  const affected = new Set<string>();
  for (const file of changed) {
    if (appSources.has(file)) return undefined;
    const users = [...bundles].filter(([, sources]) => sources.has(file)).map(([id]) => id);
    if (!users.length) return undefined;
    for (const id of users) affected.add(id);
  }
  return [...affected];
}

/** The app command: the one given, else cdk.json's `app`. */
export function appCommandOf(projectDir: string, app: string | undefined): string | undefined {
  if (app !== undefined) return app;
  try {
    return (JSON.parse(readFileSync(path.join(projectDir, 'cdk.json'), 'utf8')) as { app?: string }).app;
  } catch {
    return undefined;
  }
}

/** The file a CDK app command runs: its last argument that names a script (`tsx bin/app.ts` runs bin/app.ts). */
export function appEntry(projectDir: string, command: string): string | undefined {
  const scripts = command
    .split(/\s+/)
    .filter((arg) => /\.(c|m)?(t|j)sx?$/.test(arg))
    .map((arg) => path.resolve(projectDir, arg));
  const entry = scripts.at(-1);
  return entry && existsSync(entry) ? entry : undefined;
}

/** Loads any file that is not code or JSON as empty: listed among the inputs, never parsed. */
const assetsAsInputs: Plugin = {
  name: 'assets-as-inputs',
  setup(build) {
    // esbuild's filters are Go regular expressions, without lookahead: the callback tells code apart.
    build.onLoad({ filter: /.*/ }, (args) =>
      /\.([cm]?[jt]sx?|json)$/.test(args.path) ? undefined : { contents: '', loader: 'empty' },
    );
  },
};

/**
 * The project files the CDK app imports, found by esbuild following its static
 * imports (packages left out); undefined when that fails, and then every change synthesizes.
 */
export async function appSources(projectDir: string, command: string): Promise<Set<string> | undefined> {
  const entry = appEntry(projectDir, command);
  if (!entry) return undefined;
  try {
    const esbuild = await import('esbuild');
    const result = await esbuild.build({
      absWorkingDir: projectDir,
      entryPoints: [entry],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'silent',
      // Assets the code imports (a watermark PNG) are inputs too, but esbuild has no loader for them by default.
      plugins: [assetsAsInputs],
    });
    return new Set(Object.keys(result.metafile.inputs).map((input) => path.resolve(projectDir, input)));
  } catch {
    return undefined;
  }
}

/** What a change asks for: nothing, rebuilding some functions' bundles, or a synth. */
export type ReloadDecision =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'rebuild'; readonly functions: readonly string[]; readonly files: readonly string[] }
  | { readonly kind: 'synth' };

/**
 * Serves a change to function code alone in about a second: the functions whose
 * bundles read the changed files are rebuilt with their own esbuild options and
 * reloaded; nothing is synthesized, because the CDK app reads none of those
 * files, so the template cannot have changed.
 */
export class CodeReloader {
  private bundles = new Map<string, Set<string>>();
  private app: Set<string> | undefined;

  private readonly outDir: string;

  /**
   * @param projectDir the CDK app's directory, whose node_modules the bundles' external modules come from
   * @param outRoot where rebuilt bundles go, inside the project for the same reason: each runtime
   *   gets its own folder there, removed by {@link dispose}, and folders of runtimes no longer running are removed
   */
  constructor(
    private readonly projectDir: string,
    outRoot: string,
  ) {
    mkdirSync(outRoot, { recursive: true });
    for (const entry of readdirSync(outRoot)) {
      if (!isRunning(Number(entry.split('-')[0]))) rmSync(path.join(outRoot, entry), { recursive: true, force: true });
    }
    this.outDir = mkdtempSync(path.join(outRoot, `${process.pid}-`));
  }

  /** Removes this runtime's rebuilt bundles. */
  dispose(): void {
    rmSync(this.outDir, { recursive: true, force: true });
  }

  /** Learns, after a synth, what each bundle and the app are built from. */
  async index(plan: LocalPlan, appCommand: string | undefined): Promise<void> {
    this.bundles = new Map();
    for (const def of plan.functions) {
      const sources = def.bundling ? bundleSources(def) : undefined;
      if (sources) this.bundles.set(def.logicalId, sources);
    }
    this.app = appCommand ? await appSources(this.projectDir, appCommand) : undefined;
  }

  /**
   * What a change to `changed` (undefined: files unknown) asks for. Files that
   * are gone and that nothing was built from (an editor's swap and backup
   * files) are no change.
   */
  decide(changed: readonly string[] | undefined): ReloadDecision {
    if (!changed) return { kind: 'synth' };
    const known = (file: string) => this.app?.has(file) || [...this.bundles.values()].some((s) => s.has(file));
    const relevant = changed.filter((file) => existsSync(file) || known(file));
    if (!relevant.length) return { kind: 'nothing' };
    const functions = codeOnlyChange(relevant, this.bundles, this.app);
    return functions ? { kind: 'rebuild', functions, files: relevant } : { kind: 'synth' };
  }

  /** Rebuilds these functions; returns `plan` with their new code. */
  async rebuild(plan: LocalPlan, logicalIds: readonly string[]): Promise<LocalPlan> {
    const rebuilt = new Map<string, FunctionDef>();
    await Promise.all(
      logicalIds.map(async (id) => {
        const def = plan.functions.find((f) => f.logicalId === id);
        if (!def) return;
        const bundle = await rebuildBundle(def, this.projectDir, this.outDir);
        this.bundles.set(id, bundle.sources);
        rebuilt.set(id, { ...def, codeDir: bundle.codeDir });
      }),
    );
    return { ...plan, functions: plan.functions.map((f) => rebuilt.get(f.logicalId) ?? f) };
  }
}

function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
