import type { JobContext } from '../../lambda/jobs/define.js';

/** A job context for calling a handler directly; its progress reports are kept in `reported`. */
export function jobContext(overrides: Partial<JobContext> = {}): JobContext & { readonly reported: unknown[] } {
  const noop = () => undefined;
  const reported: unknown[] = [];
  return {
    reported,
    progress: async (value) => void reported.push(value),
    jobId: 'job-1',
    type: 'test',
    attempt: 1,
    maxAttempts: 3,
    logger: { debug: noop, info: noop, warn: noop, error: noop },
    signal: new AbortController().signal,
    ...overrides,
  };
}
