import { DEFAULT_RETENTION_DAYS } from '../../lambda/shared/config.js';
import type { JobProgress, JobRecord } from '../../lambda/shared/job.js';
import {
  type CreateOutcome,
  type JobStore,
  type JobStoreOptions,
  type LeasedJob,
  type ProgressReceipt,
  stampClock,
} from '../../lambda/shared/job-store.js';
import {
  applyTransition,
  type Transition,
  type TransitionContext,
  type WriteStamp,
} from '../../lambda/shared/transitions.js';

/** One transition a {@link MemoryJobStore} was asked for. */
export interface TransitionLogEntry {
  readonly jobId: string;
  readonly change: Transition;
  readonly applied: boolean;
}

/**
 * A {@link JobStore} in memory that applies the same transition table, with
 * the same guards, as the DynamoDB one, for tests of logic that must not
 * depend on a table.
 */
export class MemoryJobStore implements JobStore {
  readonly records = new Map<string, JobRecord>();
  readonly #log: TransitionLogEntry[] | undefined;
  readonly #stamp: () => WriteStamp;

  /**
   * @param options.log - keep every transition in {@link MemoryJobStore.log}. Off by
   *   default: the worker benchmark makes 20,000 transitions a batch, and keeping them
   *   all would measure the garbage collector rather than the worker.
   * @param options.retentionDays - as the deployed store's; 30 by default
   * @param options.now - the store's clock; the system clock by default
   */
  constructor(options: { readonly log?: boolean } & Partial<JobStoreOptions> = {}) {
    this.#log = options.log ? [] : undefined;
    this.#stamp = stampClock({ retentionDays: DEFAULT_RETENTION_DAYS, ...options });
  }

  /** Every transition asked for, applied or not, in order. Throws unless the store was built with `{ log: true }`. */
  get log(): readonly TransitionLogEntry[] {
    if (!this.#log)
      throw new Error('This MemoryJobStore keeps no log; build it with new MemoryJobStore({ log: true }).');
    return this.#log;
  }

  async create(record: JobRecord): Promise<CreateOutcome> {
    checkKey(record.jobId);
    const existing = this.records.get(record.jobId);
    if (existing) return { created: false, existing };
    this.records.set(record.jobId, record);
    return { created: true };
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    checkKey(jobId);
    return this.records.get(jobId);
  }

  async reportProgress(jobId: string, attempt: number, progress: JobProgress): Promise<ProgressReceipt | undefined> {
    const current = this.records.get(jobId);
    if (current?.status !== 'running' || current.attempts !== attempt) return undefined;
    this.records.set(jobId, { ...current, progress, updatedAt: this.#stamp().now });
    return { cancelRequested: current.cancelRequested === true };
  }

  async *expiredLeases(epochSeconds: number): AsyncIterable<LeasedJob> {
    for (const r of this.records.values()) {
      if (r.leaseShard !== undefined && r.leaseExpiresAt !== undefined && r.leaseExpiresAt < epochSeconds) {
        yield { ...r, leaseExpiresAt: r.leaseExpiresAt };
      }
    }
  }

  transition(jobId: string, change: Transition, context: TransitionContext): Promise<boolean> {
    if (Buffer.byteLength(jobId) > MAX_KEY_BYTES) return Promise.reject(keyTooLarge());
    const next = applyTransition(jobId, change, this.records.get(jobId), context, this.#stamp());
    this.#log?.push({ jobId, change, applied: next !== undefined });
    if (next) this.records.set(jobId, next);
    // Settled promises made once: an `async` method would allocate one per call, and the worker
    // benchmark makes two calls per record.
    return next ? APPLIED : REFUSED;
  }
}

const APPLIED = Promise.resolve(true);
const REFUSED = Promise.resolve(false);

/** DynamoDB's limit on a partition key, which the table enforces on every call. */
const MAX_KEY_BYTES = 2048;

function keyTooLarge(): Error {
  return Object.assign(
    new Error(
      'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes',
    ),
    { name: 'ValidationException' },
  );
}

/** Fails as DynamoDB does for a key it cannot hold, so tests meet the limit a real table would. */
function checkKey(jobId: string): void {
  if (Buffer.byteLength(jobId) > MAX_KEY_BYTES) throw keyTooLarge();
}
