import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Options of {@link ensureSynth}. */
export interface SynthOptions {
  readonly projectDir: string;
  /** Cloud assembly directory, relative to the project. */
  readonly outDir: string;
  /** The CDK app command; `undefined` uses cdk.json's. */
  readonly app?: string;
  /** Files and folders whose changes make the assembly stale. */
  readonly sources: readonly string[];
  /** `auto` synthesizes only when a source is newer than the assembly. */
  readonly mode: 'auto' | 'always' | 'never';
  /** The environment `cdk synth` inherits; the project's bin and this Node go first on its PATH. */
  readonly env: NodeJS.ProcessEnv;
  readonly onStart?: () => void;
}

/** `cdk synth` failed; `output` is what it printed. */
export class SynthError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'SynthError';
  }
}

const MARKER = 'local-synth.json';

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** True when the assembly is missing, was made by another app command, or is older than a source. */
export function isStale(options: SynthOptions): boolean {
  const out = path.resolve(options.projectDir, options.outDir);
  const manifest = path.join(out, 'manifest.json');
  if (!existsSync(manifest)) return true;
  const marker = path.join(out, MARKER);
  if (existsSync(marker)) {
    const recorded = JSON.parse(readFileSync(marker, 'utf8')) as { app?: string | null };
    if (recorded.app !== (options.app ?? null)) return true;
  } else if (options.app !== undefined) {
    return true;
  }
  const built = statSync(manifest).mtimeMs;
  return options.sources.some((s) => newestMtime(path.resolve(options.projectDir, s)) > built);
}

/**
 * Runs `cdk synth` (the project's pinned CLI, with the Node that runs this
 * process) when the assembly is stale, so the template is always the app's.
 * Returns whether it synthesized.
 */
export async function ensureSynth(options: SynthOptions): Promise<boolean> {
  if (options.mode === 'never' || (options.mode === 'auto' && !isStale(options))) return false;
  options.onStart?.();
  const cli = path.join(options.projectDir, 'node_modules', '.bin', 'cdk');
  if (!existsSync(cli)) throw new SynthError(`The CDK CLI is not installed at ${cli}; run npm install.`, '');
  const args = ['synth', '--quiet', '--no-notices', '--output', options.outDir];
  if (options.app !== undefined) args.push('--app', options.app);
  const env = {
    ...options.env,
    // The app and its bundler must run on the same Node as the runtime, not whatever is first on PATH.
    PATH: [path.join(options.projectDir, 'node_modules', '.bin'), path.dirname(process.execPath), options.env.PATH]
      .filter(Boolean)
      .join(path.delimiter),
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
  const output = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: options.projectDir, env });
    let text = '';
    child.stdout.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text }));
  });
  if (output.code !== 0) {
    throw new SynthError(`cdk synth failed (exit ${output.code}).`, output.text.trim());
  }
  writeFileSync(
    path.join(path.resolve(options.projectDir, options.outDir), MARKER),
    JSON.stringify({ app: options.app ?? null, at: new Date().toISOString() }),
  );
  return true;
}
