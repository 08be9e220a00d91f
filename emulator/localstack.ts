/**
 * LocalStack through emulator/docker-compose.yml, for machines with Docker and
 * a LOCALSTACK_AUTH_TOKEN. Never run on the project's own machines (no Docker):
 * the ministack venv is the tested route.
 */
import { execFileSync, spawn } from 'node:child_process';
import { DEFAULT_PORT } from './endpoint.js';
import { waitForHealth } from './health.js';
import { COMPOSE_FILE } from './paths.js';
import { exitOf, type RunningEmulator, type StartOptions, stopChild } from './running.js';

/** True when `docker info` answers: a daemon runs and this user may use it. */
export function dockerWorks(): boolean {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 15_000 });
    return true;
  } catch {
    return false;
  }
}

/** Starts LocalStack with Docker Compose (needs LOCALSTACK_AUTH_TOKEN) and resolves once it is healthy. */
export async function startLocalStack(options: StartOptions = {}, env = process.env): Promise<RunningEmulator> {
  const port = options.port ?? DEFAULT_PORT;
  const endpoint = `http://127.0.0.1:${port}`;
  const compose = ['compose', '-f', COMPOSE_FILE, '--profile', 'localstack'];
  const child = spawn('docker', [...compose, 'up'], {
    env: { ...env, GATEWAY_PORT: String(port) },
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

/**
 * Which emulator `npm run emulator` runs: EMULATOR when it names one, else
 * LocalStack when there is a LOCALSTACK_AUTH_TOKEN and Docker works, else ministack.
 */
export function chooseEmulator(
  env: NodeJS.ProcessEnv = process.env,
  hasDocker: () => boolean = dockerWorks,
): 'ministack' | 'localstack' {
  if (env.EMULATOR === 'ministack') return 'ministack';
  if (env.EMULATOR === 'localstack') return 'localstack';
  return env.LOCALSTACK_AUTH_TOKEN && hasDocker() ? 'localstack' : 'ministack';
}
