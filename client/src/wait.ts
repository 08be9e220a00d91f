import type { JobView } from './api-types.js';
import { CLIENT_ERROR_CODES, JobApiError } from './errors.js';
import { sleep } from './retry.js';

/** Options of `waitFor`. */
export interface WaitOptions<V extends JobView = JobView> {
  /**
   * Give up after this long, in milliseconds, with a {@link JobApiError} `WAIT_TIMEOUT`
   * whose `details.job` is the last view; the job itself goes on.
   * @default no limit: until the job finishes or `signal` aborts
   */
  readonly timeoutMs?: number;
  /** Stops waiting (and the read in flight), rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
  /**
   * Called with every view read, the final one included, before the next
   * read; a returned promise is awaited, and an error thrown ends the wait
   * with that error. Compare `status`, `attempts` or `updatedAt` to see a change.
   */
  readonly onUpdate?: (job: V) => void | Promise<void>;
  /**
   * Time between reads, in milliseconds. Many waits at once share the API's
   * throttle (100 requests/s by default): raise it when following hundreds of jobs.
   * @default 250 for the first 5 s, when short jobs finish, then 1000
   */
  readonly pollIntervalMs?: number;
}

/** The default schedule: quick reads while short jobs finish, then once a second. */
function defaultInterval(poll: number): number {
  return poll < 20 ? 250 : 1000;
}

/**
 * Reads the job with `read` until it is `succeeded`, `failed` or `cancelled`, telling
 * `onUpdate` each view. Reads go through the client's transport, so a
 * throttled or failed read is retried there before it ends the wait.
 */
export async function pollUntilFinished<V extends JobView>(
  jobId: string,
  read: (signal: AbortSignal | undefined) => Promise<V>,
  options: WaitOptions<V>,
): Promise<Extract<V, { status: 'succeeded' | 'failed' | 'cancelled' }>> {
  const deadline = options.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.timeoutMs;
  for (let poll = 0; ; poll++) {
    const job = await read(options.signal);
    await options.onUpdate?.(job);
    if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'cancelled') {
      return job as Extract<V, { status: 'succeeded' | 'failed' | 'cancelled' }>;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new JobApiError(
        CLIENT_ERROR_CODES.WAIT_TIMEOUT,
        `Job ${jobId} is still ${job.status} after ${options.timeoutMs} ms; it goes on.`,
        { details: { jobId, job } },
      );
    }
    // The last read lands on the deadline, so a timeout reports the job as it was then.
    await sleep(Math.min(options.pollIntervalMs ?? defaultInterval(poll), left), options.signal);
  }
}
