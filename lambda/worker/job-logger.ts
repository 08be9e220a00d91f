import type { JobLogger } from '../jobs/define.js';

/** The ids every log line about one job attempt carries. */
export type JobLogKeys = {
  readonly jobId?: string;
  readonly type: string;
  readonly attempt: number;
  readonly messageId: string;
};

/**
 * A logger that adds the job's ids to every line; the ids win over a handler's
 * own keys of the same name. A small object with prototype methods rather than
 * Powertools' `createChild`, which copies the whole logger: on a batch of
 * 10,000 records that copy would cost more than the jobs.
 */
class BoundJobLogger implements JobLogger {
  constructor(
    private readonly base: JobLogger,
    private readonly keys: JobLogKeys,
  ) {}
  private with(extra: Record<string, unknown> | undefined): Record<string, unknown> {
    return extra ? { ...extra, ...this.keys } : this.keys;
  }
  debug(message: string, extra?: Record<string, unknown>): void {
    this.base.debug(message, this.with(extra));
  }
  info(message: string, extra?: Record<string, unknown>): void {
    this.base.info(message, this.with(extra));
  }
  warn(message: string, extra?: Record<string, unknown>): void {
    this.base.warn(message, this.with(extra));
  }
  error(message: string, extra?: Record<string, unknown>): void {
    this.base.error(message, this.with(extra));
  }
}

/** A logger bound to one job attempt's ids. */
export function bindJobLogger(base: JobLogger, keys: JobLogKeys): JobLogger {
  return new BoundJobLogger(base, keys);
}
