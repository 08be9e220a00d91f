import { isTerminal, type JobRecord } from '../../lambda/shared/job.js';
import {
  type CreateOutcome,
  expiryEpochSeconds,
  isoTimestamp,
  type JobStore,
  type Transition,
  type TransitionContext,
} from '../../lambda/shared/job-store.js';

/** One transition a {@link MemoryJobStore} was asked for. */
export interface TransitionLogEntry {
  readonly jobId: string;
  readonly change: Transition;
  readonly applied: boolean;
}

/**
 * A {@link JobStore} in memory with the same conditional rules as the DynamoDB
 * one, for tests of logic that must not depend on a table.
 */
export class MemoryJobStore implements JobStore {
  readonly records = new Map<string, JobRecord>();
  readonly #log: TransitionLogEntry[] | undefined;

  /**
   * @param options.log - keep every transition in {@link MemoryJobStore.log}. Off by
   *   default: the worker benchmark makes 20,000 transitions a batch, and keeping them
   *   all would measure the garbage collector rather than the worker.
   */
  constructor(options: { readonly log?: boolean } = {}) {
    this.#log = options.log ? [] : undefined;
  }

  /** Every transition asked for, applied or not, in order. Throws unless the store was built with `{ log: true }`. */
  get log(): readonly TransitionLogEntry[] {
    if (!this.#log)
      throw new Error('This MemoryJobStore keeps no log; build it with new MemoryJobStore({ log: true }).');
    return this.#log;
  }

  async create(record: JobRecord): Promise<CreateOutcome> {
    const existing = this.records.get(record.jobId);
    if (existing) return { created: false, existing };
    this.records.set(record.jobId, record);
    return { created: true };
  }

  async createMany(records: readonly JobRecord[]): Promise<void> {
    for (const r of records) this.records.set(r.jobId, r);
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return this.records.get(jobId);
  }

  transition(jobId: string, change: Transition, ctx: TransitionContext): Promise<boolean> {
    const current = this.records.get(jobId);
    const now = isoTimestamp(ctx.now);
    let next: JobRecord | undefined;
    if ('from' in change && change.to === 'failed') {
      if (current?.status === change.from) {
        next = {
          ...current,
          status: 'failed',
          attempts: change.attempt,
          updatedAt: now,
          expiresAt: expiryEpochSeconds(ctx.now, ctx.retentionDays),
          ...(change.error ? { error: change.error } : {}),
        };
      }
    } else if (change.to === 'queued') {
      if (current?.status === change.from) {
        const { error: _e, expiresAt: _x, ...rest } = current;
        next = { ...rest, status: 'queued', attempts: 0, updatedAt: now };
      }
    } else if (
      !current ||
      (!isTerminal(current.status) && current.attempts <= change.attempt) ||
      (change.to === 'running' && current.status === 'failed' && current.lastMessageId !== change.messageId)
    ) {
      const base: JobRecord = current ?? {
        jobId,
        type: ctx.type,
        status: 'queued',
        attempts: 0,
        maxAttempts: ctx.maxAttempts,
        createdAt: now,
        updatedAt: now,
      };
      // Rest-destructuring is slow in V8; skip it when there is nothing to drop (the common case).
      const withoutError = base.error === undefined ? base : omitError(base);
      const live = base.expiresAt === undefined ? base : omitExpiry(base);
      if (change.to === 'running')
        next = {
          ...(live.error === undefined ? live : omitError(live)),
          status: 'running',
          attempts: change.attempt,
          lastMessageId: change.messageId,
          updatedAt: now,
        };
      else if (change.to === 'retrying')
        next = { ...live, status: 'retrying', attempts: change.attempt, error: change.error, updatedAt: now };
      else if (change.to === 'succeeded')
        next = {
          ...withoutError,
          status: 'succeeded',
          attempts: change.attempt,
          result: change.result ?? null,
          updatedAt: now,
          expiresAt: expiryEpochSeconds(ctx.now, ctx.retentionDays),
        };
      else
        next = {
          ...base,
          status: 'failed',
          attempts: change.attempt,
          error: change.error,
          updatedAt: now,
          expiresAt: expiryEpochSeconds(ctx.now, ctx.retentionDays),
        };
    }
    this.#log?.push({ jobId, change, applied: next !== undefined });
    if (next) this.records.set(jobId, next);
    // The two answers as settled promises made once: an `async` method would allocate one per call,
    // and the worker benchmark makes two calls per record.
    return next ? APPLIED : REFUSED;
  }
}

const APPLIED = Promise.resolve(true);
const REFUSED = Promise.resolve(false);

function omitError(record: JobRecord): JobRecord {
  const { error: _e, ...rest } = record;
  return rest;
}

function omitExpiry(record: JobRecord): JobRecord {
  const { expiresAt: _x, ...rest } = record;
  return rest;
}
