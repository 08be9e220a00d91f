/** Longest delay Node's timers take (about 24.8 days); a later time is reached in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * Calls `fn` at `when` (on the next turn if it has passed), on an unref'd
 * timer so a schedule never keeps the process alive. Returns the function that
 * cancels it.
 */
export function callAt(when: Date, fn: () => void, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const delay = when.getTime() - now();
    timer = delay > MAX_DELAY_MS ? setTimeout(arm, MAX_DELAY_MS) : setTimeout(fn, Math.max(delay, 0));
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
