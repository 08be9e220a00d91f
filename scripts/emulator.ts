/**
 * `npm run emulator`: runs a LocalStack-compatible AWS emulator on 127.0.0.1.
 *
 * By default that is ministack, at the version pinned in emulator/requirements.txt,
 * from a project-local Python venv (.venv/) this script creates when it is missing
 * or holds another version. With LOCALSTACK_AUTH_TOKEN set and a working `docker`,
 * it runs LocalStack through emulator/docker-compose.yml instead (EMULATOR=ministack
 * forces ministack). It waits for the health endpoint, then runs until Ctrl+C.
 *
 * Environment: GATEWAY_PORT (default 4566), PYTHON (interpreter used to create the
 * venv), EMULATOR (`ministack` | `localstack`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where `npm run emulator` listens unless GATEWAY_PORT says otherwise. */
export const DEFAULT_PORT = 4566;
/** Health paths: ministack answers all three, LocalStack the second. */
const HEALTH_PATHS = ['/_ministack/health', '/_localstack/health'] as const;

const REQUIREMENTS = path.join(PROJECT_ROOT, 'emulator', 'requirements.txt');
const COMPOSE_FILE = path.join(PROJECT_ROOT, 'emulator', 'docker-compose.yml');
const VENV = path.join(PROJECT_ROOT, '.venv');

/** The ministack version emulator/requirements.txt pins, e.g. `1.5.33`. */
export function pinnedMinistackVersion(): string {
  const match = /^ministack==(\S+)/m.exec(readFileSync(REQUIREMENTS, 'utf8'));
  if (!match?.[1]) throw new Error(`${REQUIREMENTS} has no "ministack==<version>" line.`);
  return match[1];
}

/** True when `endpoint` answers an emulator health check with 200 within `timeoutMs`. */
export async function isHealthy(endpoint: string, timeoutMs = 1000): Promise<boolean> {
  for (const p of HEALTH_PATHS) {
    try {
      const res = await fetch(new URL(p, endpoint), { signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer();
      if (res.ok) return true;
    } catch {
      // Not listening (yet), or not this health path.
    }
  }
  return false;
}

/** Polls the health endpoint until it answers; fails early when `child` exits first. */
export async function waitForHealth(endpoint: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`The emulator exited with code ${child.exitCode} before ${endpoint} became healthy.`);
    }
    if (await isHealthy(endpoint)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`The emulator at ${endpoint} was not healthy after ${Math.round(timeoutMs / 1000)} s.`);
}

function findPython(): string {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : ['python3', 'python'];
  for (const candidate of candidates) {
    try {
      const ok = execFileSync(candidate, ['-c', 'import sys; print(sys.version_info >= (3, 10))'], {
        encoding: 'utf8',
      }).trim();
      if (ok === 'True') return candidate;
    } catch {
      // Not installed under this name.
    }
  }
  throw new Error(
    'ministack needs Python 3.10 or later with venv support; none was found as python3 or python. Install one, or set PYTHON=/path/to/python3.',
  );
}

function venvBin(name: string): string {
  return process.platform === 'win32' ? path.join(VENV, 'Scripts', `${name}.exe`) : path.join(VENV, 'bin', name);
}

function installedMinistack(): string | undefined {
  if (!existsSync(venvBin('ministack'))) return undefined;
  try {
    return execFileSync(venvBin('python'), ['-c', "import importlib.metadata as m; print(m.version('ministack'))"], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Makes sure .venv/ holds the pinned ministack and returns its executable:
 * creates the venv when missing and (re)installs the pinned requirements when
 * the installed version differs.
 */
export function ensureMinistack(log: (line: string) => void = console.log): string {
  const want = pinnedMinistackVersion();
  const have = installedMinistack();
  if (have === want) return venvBin('ministack');
  if (!existsSync(venvBin('python'))) {
    log(`Creating the Python venv ${path.relative(PROJECT_ROOT, VENV)}/ for ministack ${want}...`);
    execFileSync(findPython(), ['-m', 'venv', VENV], { stdio: 'inherit' });
  }
  log(`Installing ministack ${want}${have ? ` (replacing ${have})` : ''} from emulator/requirements.txt...`);
  execFileSync(venvBin('python'), ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', REQUIREMENTS], {
    stdio: 'inherit',
  });
  return venvBin('ministack');
}

/** An emulator this process started. */
export interface RunningEmulator {
  readonly kind: 'ministack' | 'localstack';
  readonly endpoint: string;
  /** Where its output goes, when not to this terminal. */
  readonly logFile?: string;
  /** Settles when the emulator process exits, for whatever reason. */
  readonly exited: Promise<void>;
  /** Stops it and waits until it has exited. */
  stop(): Promise<void>;
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** Options of {@link startMinistack}. */
export interface StartOptions {
  /** @default DEFAULT_PORT */
  readonly port?: number;
  /**
   * Write the emulator's output to this file.
   * @default the output goes to this process's stdout/stderr
   */
  readonly logFile?: string;
  /** @default 60 s */
  readonly healthTimeoutMs?: number;
}

/**
 * The environment ministack runs in; its Lambda functions inherit it.
 *
 * LOCAL-DEPLOY-PATH WORKAROUNDS for ministack (not changes to the stack):
 * - PATH starts with the project's node_modules/.bin, because ministack runs every
 *   `nodejs*` function on whatever `node` is first on its PATH, and the project's
 *   Node 24 (npm package `node`) lives there; the stack declares nodejs24.x.
 * - NODE_PATH points at the project's node_modules, because ministack does not
 *   provide the AWS SDK v3 that the Lambda runtime ships (the stack leaves
 *   `@aws-sdk/*` out of its bundles, as AWS recommends); without it ministack
 *   substitutes a partial stub that lacks @aws-sdk/lib-dynamodb.
 * The user's AWS_* variables are dropped so no profile or real endpoint leaks into functions.
 */
export function ministackEnv(port: number, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('AWS_') && k !== 'NODE_PATH') env[k] = v;
  const nodeBin = path.join(PROJECT_ROOT, 'node_modules', '.bin');
  return {
    ...env,
    BIND_HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    // URLs ministack hands out (QueueUrl...) must resolve here; localhost.localstack.cloud does not.
    MINISTACK_HOST: '127.0.0.1',
    PATH: [nodeBin, path.dirname(venvBin('python')), env.PATH ?? ''].join(path.delimiter),
    NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'),
  };
}

function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts the pinned ministack on 127.0.0.1 and resolves once it is healthy. */
export async function startMinistack(options: StartOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? DEFAULT_PORT;
  const endpoint = `http://127.0.0.1:${port}`;
  if (await isHealthy(endpoint))
    throw new Error(`Something already answers at ${endpoint}; stop it or pick another port.`);
  const exe = ensureMinistack();
  let stdio: 'inherit' | ['ignore', number, number] = 'inherit';
  if (options.logFile) {
    mkdirSync(path.dirname(options.logFile), { recursive: true });
    const fd = openSync(options.logFile, 'a');
    stdio = ['ignore', fd, fd];
  }
  const child = spawn(exe, [], { env: ministackEnv(port), stdio });
  const stop = () => stopChild(child);
  try {
    await waitForHealth(endpoint, options.healthTimeoutMs ?? 60_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    kind: 'ministack',
    endpoint,
    ...(options.logFile ? { logFile: options.logFile } : {}),
    exited: exitOf(child),
    stop,
  };
}

function dockerWorks(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/** Starts LocalStack with Docker Compose (needs LOCALSTACK_AUTH_TOKEN) and resolves once it is healthy. */
export async function startLocalStack(options: StartOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? DEFAULT_PORT;
  const endpoint = `http://127.0.0.1:${port}`;
  const compose = ['compose', '-f', COMPOSE_FILE, '--profile', 'localstack'];
  const child = spawn('docker', [...compose, 'up'], {
    env: { ...process.env, GATEWAY_PORT: String(port) },
    stdio: 'inherit',
  });
  const stop = async () => {
    execFileSync('docker', [...compose, 'down'], { stdio: 'inherit' });
    await stopChild(child);
  };
  try {
    await waitForHealth(endpoint, options.healthTimeoutMs ?? 180_000, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind: 'localstack', endpoint, exited: exitOf(child), stop };
}

/** Which emulator `npm run emulator` runs, and why. */
export function chooseEmulator(
  env: NodeJS.ProcessEnv = process.env,
  hasDocker = dockerWorks,
): 'ministack' | 'localstack' {
  if (env.EMULATOR === 'ministack') return 'ministack';
  if (env.EMULATOR === 'localstack') return 'localstack';
  return env.LOCALSTACK_AUTH_TOKEN && hasDocker() ? 'localstack' : 'ministack';
}

async function main(): Promise<void> {
  const port = Number(process.env.GATEWAY_PORT ?? DEFAULT_PORT);
  const endpoint = `http://127.0.0.1:${port}`;
  if (await isHealthy(endpoint)) {
    console.log(`An emulator already answers at ${endpoint}; not starting another.`);
    return;
  }
  const kind = chooseEmulator();
  const started = Date.now();
  const emulator = kind === 'localstack' ? await startLocalStack({ port }) : await startMinistack({ port });
  const version = kind === 'ministack' ? ` ${pinnedMinistackVersion()}` : '';
  console.log(
    `\n${kind}${version} is ready at ${endpoint} (${((Date.now() - started) / 1000).toFixed(1)} s). Deploy with \`npm run deploy:local\`; Ctrl+C stops it.`,
  );
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log(`\nStopping ${kind}...`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await emulator.exited;
  if (!stopping) {
    console.error(`${kind} exited on its own.`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
