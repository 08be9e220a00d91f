import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `probe` every `intervalMs` until `done` holds, or fails after `timeoutMs` naming `what` and the last value. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs = 60_000, intervalMs = 500, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
    await sleep(intervalMs);
    last = await probe();
  }
  return last;
}
