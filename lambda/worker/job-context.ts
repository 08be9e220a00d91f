import type { JobContext, JobLogger } from '../jobs/define.js';
import type { JobProgress } from '../shared/job.js';
import type { JobStorage } from '../shared/storage.js';
import type { AttemptControl } from './attempt-control.js';
import { bindJobLogger } from './job-logger.js';

/** The ids and limits of one attempt, as its handler sees them. */
export interface AttemptIds {
  readonly jobId: string;
  readonly type: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly messageId: string;
}

/**
 * The context a job handler receives: its ids, its attempt's signal and
 * progress reports, and the bucket where its type declared access. Its logger is bound on first use: most
 * jobs never log.
 */
export class RecordJobContext implements JobContext {
  #logger: JobLogger | undefined;
  readonly jobId: string;
  readonly type: string;
  readonly attempt: number;
  readonly maxAttempts: number;

  constructor(
    private readonly base: JobLogger,
    private readonly ids: AttemptIds,
    private readonly control: AttemptControl,
    /** The bucket, for job types that declared storage access. */
    readonly storage?: JobStorage,
  ) {
    this.jobId = ids.jobId;
    this.type = ids.type;
    this.attempt = ids.attempt;
    this.maxAttempts = ids.maxAttempts;
  }

  get signal(): AbortSignal {
    return this.control.signal;
  }

  progress(value: JobProgress): Promise<void> {
    return this.control.progress(value);
  }

  get logger(): JobLogger {
    const { jobId, type, attempt, messageId } = this.ids;
    this.#logger ??= bindJobLogger(this.base, { jobId, type, attempt, messageId });
    return this.#logger;
  }
}
