import {
  isTerminal,
  type JobErrorInfo,
  type JobOrigin,
  type JobProgress,
  type JobRecord,
  type JobStatus,
  leaseShardOf,
} from './job.js';

/**
 * A job's status changes as data: one row per transition, saying what it sets,
 * what it removes and what it requires of the record it finds. A store turns a
 * row into one conditional write (`DynamoJobStore`), or applies it in memory
 * with the same guard (`applyTransition`); tests walk the table.
 *
 * Statuses only move forward: a late duplicate never undoes a finished job,
 * and a stale attempt never overwrites a newer one. The one way back is a
 * redrive, which the `requeue` row and a new message's `start` allow.
 */

/** The worker starts an attempt from SQS message `messageId`. */
export interface StartAttempt {
  readonly to: 'running';
  readonly attempt: number;
  /**
   * A `failed` job runs again only for a message other than the one it failed
   * on: a DLQ redrive, which SQS delivers as a new message, never a late
   * duplicate of the old one.
   */
  readonly messageId: string;
  /**
   * Seconds the attempt holds its lease: about the queue's visibility timeout,
   * after which SQS delivers the message again. Without it, no lease is taken.
   */
  readonly leaseSeconds?: number;
  /** The handler's first progress report, when that is what makes the job show as running. */
  readonly progress?: JobProgress;
}

/** An attempt failed and the job will be tried again after a backoff. */
export interface RetryLater {
  readonly to: 'retrying';
  readonly attempt: number;
  readonly error: JobErrorInfo;
  /** The message the attempt ran from, when a worker writes it (see {@link StartAttempt.messageId}). */
  readonly messageId?: string;
}

/** The job finished with a result. */
export interface Succeed {
  readonly to: 'succeeded';
  readonly attempt: number;
  readonly result: unknown;
  /** The message the attempt ran from: a later delivery of it is a duplicate. */
  readonly messageId?: string;
  /** The handler's last progress report, when it was not written yet. */
  readonly progress?: JobProgress;
}

/** The job failed for good. */
export interface Fail {
  readonly to: 'failed';
  readonly attempt: number;
  readonly error: JobErrorInfo;
  /** The message the attempt ran from: a later delivery of it is a duplicate, another message a redrive. */
  readonly messageId?: string;
}

/**
 * The reconciler ends a job whose last attempt's lease ran out while it was
 * still `running`: its worker stopped, and SQS dead-letters the message.
 */
export interface Expire {
  readonly to: 'failed';
  readonly from: 'running';
  /** The attempt that held the lease; a job that moved on since is left alone. */
  readonly attempt: number;
  readonly error: JobErrorInfo;
}

/** Back to `queued` from `failed`: a redrive, or a retried enqueue. Attempts start over, as SQS's receive count does. */
export interface Requeue {
  readonly to: 'queued';
  readonly from: 'failed';
}

/** Undoes a {@link Requeue} when the redrive could not start: the job is `failed` again, as it was. */
export interface Restore {
  readonly to: 'failed';
  readonly from: 'queued';
  readonly attempt: number;
  readonly error?: JobErrorInfo;
}

/** Someone cancels a job that is waiting (`queued` or `retrying`): no attempt starts after this write. */
export interface Cancel {
  readonly to: 'cancelled';
}

/** Someone asks a `running` job to stop: its handler's signal fires; it stays `running` until it does. */
export interface RequestCancel {
  readonly to: 'running';
  readonly requestCancel: true;
}

/** A running job stopped because it was asked to: it ends `cancelled`. */
export interface CancelRunning {
  readonly to: 'cancelled';
  readonly from: 'running';
  /** The attempt that stopped; a job that moved on since is left alone. */
  readonly attempt: number;
}

/** A change of a job's status, as the worker and the API make them. */
export type Transition =
  | StartAttempt
  | RetryLater
  | Succeed
  | Fail
  | Expire
  | Requeue
  | Restore
  | Cancel
  | RequestCancel
  | CancelRunning;

/** What a writer knows of the job's type, so a record can be created when a producer bypassed the API. */
export interface TransitionContext {
  readonly type: string;
  readonly maxAttempts: number;
  /**
   * What the API recorded of the job, from its message. A write that creates
   * the record (the API stopped between sending the message and writing the
   * record, or has not written it yet) fills it in from this; and a write is
   * refused when the record is of another request, so a message of a request
   * the API refused (409) never moves the job of the request it accepted.
   * @default none - a job sent straight to the queue, or a write that creates no record
   */
  readonly origin?: JobOrigin;
}

/** What a row requires of the record the write finds. */
export type Guard =
  /** The job moves forward: no record yet, or a record that is not terminal and not at a later attempt. */
  | 'forward'
  /** Forward, or `failed` on a message other than the one starting now (a redrive). */
  | 'forward-or-redriven'
  /** The job has exactly the status the change names as `from`. */
  | 'from'
  /** The job is still `running` the change's attempt, and its lease has ended. */
  | 'lease-expired'
  /** The job waits for an attempt: `queued` or `retrying`. */
  | 'waiting'
  /** The job is `running`. */
  | 'running'
  /** The job is still `running` the change's attempt. */
  | 'running-attempt';

/** Attributes a transition may set or remove; `status` and `updatedAt` are always set. */
export type JobAttribute = Exclude<keyof JobRecord, 'jobId' | 'status' | 'updatedAt'>;

/** What the store knows when it writes: the time and the expiry it gives a finished job. */
export interface WriteStamp {
  readonly now: string;
  /** The same time, in epoch seconds, as leases are measured. */
  readonly epochSeconds: number;
  /** Epoch seconds after which DynamoDB's TTL may delete the job, for a status that ends it. */
  readonly expiresAt: number;
}

/** One row of {@link TRANSITIONS}. */
export interface TransitionRule<C extends Transition = Transition> {
  /** The status the job moves to. */
  readonly status: JobStatus;
  readonly requires: Guard;
  /** Whether a missing record is created (type, maxAttempts, createdAt from the context), as for a job sent straight to the queue. */
  readonly createsRecord: boolean;
  /** Attributes written besides `status` and `updatedAt`. */
  readonly sets: (change: C, stamp: WriteStamp, jobId: string) => Partial<Pick<JobRecord, JobAttribute>>;
  /** Attributes deleted. */
  readonly removes: readonly JobAttribute[];
}

/** The message an attempt ran from, when the change names it. */
function messageOf(change: { readonly messageId?: string }): { lastMessageId?: string } {
  return change.messageId !== undefined ? { lastMessageId: change.messageId } : {};
}

/** The lease attributes: every status but `running` drops them, which takes the job out of the lease index. */
const LEASE = ['leaseExpiresAt', 'leaseShard'] as const;

/** Every transition, by name. */
export const TRANSITIONS = {
  start: {
    status: 'running',
    requires: 'forward-or-redriven',
    createsRecord: true,
    sets: (c: StartAttempt, { epochSeconds }: WriteStamp, jobId: string) => ({
      attempts: c.attempt,
      lastMessageId: c.messageId,
      ...(c.leaseSeconds ? { leaseExpiresAt: epochSeconds + c.leaseSeconds, leaseShard: leaseShardOf(jobId) } : {}),
      ...(c.progress !== undefined ? { progress: c.progress } : {}),
    }),
    // A redriven job is live again: neither its old error nor the TTL of its failure may stay.
    removes: ['error', 'expiresAt'],
  },
  retry: {
    status: 'retrying',
    requires: 'forward',
    createsRecord: true,
    sets: (c: RetryLater) => ({ attempts: c.attempt, error: c.error, ...messageOf(c) }),
    // The next attempt starts over: its progress is its own.
    removes: ['expiresAt', 'progress', ...LEASE],
  },
  succeed: {
    status: 'succeeded',
    requires: 'forward',
    createsRecord: true,
    sets: (c: Succeed, { expiresAt }: WriteStamp) => ({
      attempts: c.attempt,
      result: c.result ?? null,
      expiresAt,
      ...messageOf(c),
      ...(c.progress !== undefined ? { progress: c.progress } : {}),
    }),
    removes: ['error', 'cancelRequested', ...LEASE],
  },
  fail: {
    status: 'failed',
    requires: 'forward',
    createsRecord: true,
    sets: (c: Fail, { expiresAt }: WriteStamp) => ({ attempts: c.attempt, error: c.error, expiresAt, ...messageOf(c) }),
    removes: ['cancelRequested', ...LEASE],
  },
  expire: {
    status: 'failed',
    requires: 'lease-expired',
    createsRecord: false,
    sets: (c: Expire, { expiresAt }: WriteStamp) => ({ error: c.error, expiresAt }),
    removes: ['cancelRequested', ...LEASE],
  },
  requeue: {
    status: 'queued',
    requires: 'from',
    createsRecord: false,
    sets: () => ({ attempts: 0 }),
    removes: ['error', 'expiresAt', ...LEASE],
  },
  restore: {
    status: 'failed',
    requires: 'from',
    createsRecord: false,
    sets: (c: Restore, { expiresAt }: WriteStamp) => ({
      attempts: c.attempt,
      expiresAt,
      ...(c.error ? { error: c.error } : {}),
    }),
    removes: [...LEASE],
  },
  cancel: {
    status: 'cancelled',
    requires: 'waiting',
    createsRecord: false,
    sets: (_c: Cancel, { expiresAt }: WriteStamp) => ({ expiresAt }),
    removes: ['error', ...LEASE],
  },
  requestCancel: {
    status: 'running',
    requires: 'running',
    createsRecord: false,
    sets: () => ({ cancelRequested: true }),
    removes: [],
  },
  cancelRunning: {
    status: 'cancelled',
    requires: 'running-attempt',
    createsRecord: false,
    sets: (_c: CancelRunning, { expiresAt }: WriteStamp) => ({ expiresAt }),
    removes: ['cancelRequested', 'error', ...LEASE],
  },
} as const satisfies {
  start: TransitionRule<StartAttempt>;
  retry: TransitionRule<RetryLater>;
  succeed: TransitionRule<Succeed>;
  fail: TransitionRule<Fail>;
  expire: TransitionRule<Expire>;
  requeue: TransitionRule<Requeue>;
  restore: TransitionRule<Restore>;
  cancel: TransitionRule<Cancel>;
  requestCancel: TransitionRule<RequestCancel>;
  cancelRunning: TransitionRule<CancelRunning>;
};

/** The name of a transition's row. */
export type TransitionName = keyof typeof TRANSITIONS;

/** The row that applies `change`. */
export function transitionName(change: Transition): TransitionName {
  if ('from' in change) {
    if (change.to === 'queued') return 'requeue';
    if (change.to === 'cancelled') return 'cancelRunning';
    return change.from === 'running' ? 'expire' : 'restore';
  }
  switch (change.to) {
    case 'running':
      return 'requestCancel' in change ? 'requestCancel' : 'start';
    case 'retrying':
      return 'retry';
    case 'succeeded':
      return 'succeed';
    case 'failed':
      return 'fail';
    case 'cancelled':
      return 'cancel';
  }
}

/** The row that applies `change`, typed for it. */
export function ruleFor<C extends Transition>(change: C): TransitionRule<C> {
  return TRANSITIONS[transitionName(change)] as unknown as TransitionRule<C>;
}

/** True when the guard lets `change` apply to `current` (undefined: no record yet) at `stampSeconds`. */
export function guardAllows(
  guard: Guard,
  change: Transition,
  current: JobRecord | undefined,
  stampSeconds: number,
): boolean {
  switch (guard) {
    case 'from':
      return 'from' in change && current?.status === change.from;
    case 'waiting':
      return current?.status === 'queued' || current?.status === 'retrying';
    case 'running':
      return current?.status === 'running';
    case 'running-attempt':
      return 'attempt' in change && current?.status === 'running' && current.attempts === change.attempt;
    case 'lease-expired':
      return (
        'attempt' in change &&
        current?.status === 'running' &&
        current.attempts === change.attempt &&
        current.leaseExpiresAt !== undefined &&
        current.leaseExpiresAt < stampSeconds
      );
    case 'forward':
      return isForward(change, current);
    case 'forward-or-redriven':
      return (
        isForward(change, current) ||
        (change.to === 'running' &&
          'messageId' in change &&
          current?.status === 'failed' &&
          current.lastMessageId !== change.messageId)
      );
  }
}

function isForward(change: Transition, current: JobRecord | undefined): boolean {
  if (!current) return true;
  const attempt = 'attempt' in change ? change.attempt : 0;
  return !isTerminal(current.status) && (current.attempts ?? 0) <= attempt;
}

/**
 * `current` after `change`, or undefined when the guard refuses it: the same
 * rule a conditional write applies, for a store in memory.
 */
export function applyTransition(
  jobId: string,
  change: Transition,
  current: JobRecord | undefined,
  context: TransitionContext,
  stamp: WriteStamp,
): JobRecord | undefined {
  const rule = ruleFor(change);
  if (!guardAllows(rule.requires, change, current, stamp.epochSeconds)) return undefined;
  if (!current && !rule.createsRecord) return undefined;
  const origin = rule.createsRecord ? context.origin : undefined;
  if (origin && !sameRequest(current, origin)) return undefined;
  const base: JobRecord = current ?? {
    jobId,
    type: context.type,
    status: 'queued',
    attempts: 0,
    maxAttempts: context.maxAttempts,
    createdAt: origin?.createdAt ?? stamp.now,
    updatedAt: stamp.now,
  };
  const removed = REMOVED[transitionName(change)];
  const next: Record<string, unknown> = {};
  // Copied key by key, leaving out what the row removes: `delete` would turn the object into a slow dictionary.
  for (const key in base) if (!removed.has(key)) next[key] = base[key as keyof JobRecord];
  // As `if_not_exists` does: the origin fills in what the record lacks, and changes nothing it holds.
  if (origin) for (const [key, value] of Object.entries(originAttributes(origin))) next[key] ??= value;
  Object.assign(next, rule.sets(change, stamp, jobId));
  next.status = rule.status;
  next.updatedAt = stamp.now;
  return next as unknown as JobRecord;
}

/** True when `current` is absent, or of the request `origin` names (or of none: a job sent straight to the queue). */
export function sameRequest(current: JobRecord | undefined, origin: JobOrigin): boolean {
  return current?.requestHash === undefined || current.requestHash === origin.requestHash;
}

/** The record attributes a job's origin gives a record that lacks them. */
export function originAttributes(origin: JobOrigin): Partial<JobRecord> {
  return {
    requestHash: origin.requestHash,
    ...(origin.idempotencyKey !== undefined ? { idempotencyKey: origin.idempotencyKey } : {}),
    ...(origin.callbackUrl !== undefined ? { callbackUrl: origin.callbackUrl } : {}),
  };
}

/** Each row's removed attributes, as sets: looked up for every attribute of every record a store moves. */
const REMOVED = Object.fromEntries(
  Object.entries(TRANSITIONS).map(([name, rule]) => [name, new Set<string>(rule.removes)]),
) as unknown as Record<TransitionName, ReadonlySet<string>>;
