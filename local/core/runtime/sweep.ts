/**
 * Deletes expired items every `seconds`, as DynamoDB's TTL would (dynalite has
 * none); a failed sweep is reported and the next one tries again. Returns the
 * function that stops it; `seconds` of 0 or less starts nothing.
 */
export function startTtlSweep(seconds: number, sweep: () => Promise<unknown>, report: (message: string) => void) {
  if (seconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    sweep().catch((error: Error) => report(`TTL sweep failed: ${error.message}`));
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
