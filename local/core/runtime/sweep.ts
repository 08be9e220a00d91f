/**
 * Runs `sweep` every `seconds`, for what the emulators store but do not run
 * (DynamoDB's TTL in dynalite, S3 lifecycle expirations in fauxqs); a failed
 * sweep is reported under `name` and the next one tries again. Returns the
 * function that stops it; `seconds` of 0 or less starts nothing.
 */
export function startSweep(
  name: string,
  seconds: number,
  sweep: () => Promise<unknown>,
  report: (message: string) => void,
): () => void {
  if (seconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    sweep().catch((error: Error) => report(`${name} failed: ${error.message}`));
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
