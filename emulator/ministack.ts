/**
 * ministack, the LocalStack-compatible emulator the project runs without
 * Docker: the version emulator/requirements.txt pins, installed in a
 * project-local Python venv (.venv/), started on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PORT } from './endpoint.js';
import { isHealthy, waitForHealth } from './health.js';
import { PROJECT_BIN, PROJECT_ROOT } from './paths.js';
import { exitOf, type RunningEmulator, type StartOptions, stopChild } from './running.js';
import { ensureVenv, pinnedVersion, venvBin } from './venv.js';

/** The ministack version emulator/requirements.txt pins, e.g. `1.5.33`. */
export function pinnedMinistackVersion(): string {
  return pinnedVersion('ministack');
}

/**
 * Makes sure the project venv holds the pinned ministack (and the rest of
 * emulator/requirements.txt) and returns its executable. PYTHON in `env` names
 * the interpreter that creates the venv.
 */
export function ensureMinistack(log: (line: string) => void = console.log, env = process.env): string {
  ensureVenv(`ministack ${pinnedMinistackVersion()}`, log, env);
  return venvBin('ministack');
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
  return {
    ...env,
    BIND_HOST: '127.0.0.1',
    GATEWAY_PORT: String(port),
    // URLs ministack hands out (QueueUrl...) must resolve here; localhost.localstack.cloud does not.
    MINISTACK_HOST: '127.0.0.1',
    PATH: [PROJECT_BIN, path.dirname(venvBin('python')), env.PATH ?? ''].join(path.delimiter),
    NODE_PATH: path.join(PROJECT_ROOT, 'node_modules'),
  };
}

/** Starts the pinned ministack on 127.0.0.1 and resolves once it is healthy. */
export async function startMinistack(options: StartOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? DEFAULT_PORT;
  const endpoint = `http://127.0.0.1:${port}`;
  if (await isHealthy(endpoint)) {
    throw new Error(`Something already answers at ${endpoint}; stop it or pick another port.`);
  }
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
