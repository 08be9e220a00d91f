import type { ChildProcess } from 'node:child_process';

/** Health paths: ministack answers both, LocalStack the second. */
const HEALTH_PATHS = ['/_ministack/health', '/_localstack/health'] as const;

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
