let cached = new Date(0);

/**
 * The current time, as one shared Date per millisecond. A batch stamps
 * thousands of status changes; handing out the same Date lets the job store
 * format each millisecond once (`isoTimestamp`). Callers must not mutate it.
 */
export function systemClock(): Date {
  const now = Date.now();
  if (now !== cached.getTime()) cached = new Date(now);
  return cached;
}
