import type { JobContext } from '../../lambda/jobs/define.js';

/** A job context for calling a handler directly. */
export function jobContext(overrides: Partial<JobContext> = {}): JobContext {
  const noop = () => undefined;
  return {
    jobId: 'job-1',
    type: 'test',
    attempt: 1,
    maxAttempts: 3,
    logger: { debug: noop, info: noop, warn: noop, error: noop },
    signal: new AbortController().signal,
    ...overrides,
  };
}
