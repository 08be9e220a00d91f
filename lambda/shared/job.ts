import * as z from './zod.js';

/**
 * Every status a job can have, in the order of its life. The one list: the
 * type, the API's zod enum, the dashboard's filter and the CLI derive from it.
 */
export const JOB_STATUSES = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;

/** Where a job is in its life. `succeeded`, `failed` and `cancelled` are terminal. */
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The statuses after which a job never changes again (short of a redrive of a failed one). */
export const TERMINAL_STATUSES = ['succeeded', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];

/** True for the statuses after which a job never changes again (short of a redrive). */
export function isTerminal(status: JobStatus): boolean {
  return (TERMINAL_STATUSES as readonly JobStatus[]).includes(status);
}

/** A failure as clients see it: a code and a message, never a stack. */
export interface JobErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** A job as the job table holds it. */
export interface JobRecord {
  readonly jobId: string;
  readonly type: string;
  readonly status: JobStatus;
  /** Attempts started so far; the last one's ApproximateReceiveCount. */
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly result?: unknown;
  readonly error?: JobErrorInfo;
  readonly idempotencyKey?: string;
  /** Hash of the accepted request, to tell a retry from a reuse of the key. */
  readonly requestHash?: string;
  /** The SQS message the latest attempt ran from; tells a redrive from a late duplicate. */
  readonly lastMessageId?: string;
  /** Epoch seconds after which DynamoDB's TTL may delete a finished job. */
  readonly expiresAt?: number;
  /**
   * While `running`: epoch seconds when the attempt's lease ends, about when
   * SQS would deliver the message again. A lease that ends with the job still
   * `running` means its worker stopped (crash, timeout, out of memory); the
   * reconciler finds it through the sparse lease index.
   */
  readonly leaseExpiresAt?: number;
  /** While `running`: the lease index's partition, spreading leases over {@link LEASE_SHARDS} keys. */
  readonly leaseShard?: string;
  /** While `running`: someone asked to cancel it; its handler's signal fires, and it ends `cancelled` if it stops. */
  readonly cancelRequested?: boolean;
  /** What the handler last reported through `ctx.progress`: a number (a percentage, by convention) or an object. */
  readonly progress?: JobProgress;
  /** Where the job's completion callback goes once it has `succeeded` or `failed`, as submitted. */
  readonly callbackUrl?: string;
}

/** A job's progress as its handler reports it: a number (0 to 100, by convention) or a JSON object. */
export type JobProgress = number | Readonly<Record<string, unknown>>;

/** The sparse index of running jobs by the end of their lease; only `running` items carry its keys. */
export const LEASE_INDEX = Object.freeze({
  name: 'leases',
  partitionKey: 'leaseShard',
  sortKey: 'leaseExpiresAt',
  /** What the reconciler reads of each job besides the keys. */
  attributes: ['type', 'status', 'attempts', 'maxAttempts'] as const,
});

/** Partitions of the lease index: enough that no one key takes every running job's write. */
export const LEASE_SHARDS = 16;

/** The lease-index partition of a job: a stable hash of its id. */
export function leaseShardOf(jobId: string): string {
  let hash = 0;
  for (let i = 0; i < jobId.length; i++) hash = (hash * 31 + jobId.charCodeAt(i)) >>> 0;
  return String(hash % LEASE_SHARDS);
}

/**
 * Longest job id, in characters. The API issues 36-character UUIDs; a producer
 * writing to a queue directly may choose its own, within this bound, which keeps
 * every id far below DynamoDB's 2,048-byte key limit.
 */
export const MAX_JOB_ID_LENGTH = 255;

/** Largest job message body; SQS's own limit is higher, but emulators and older accounts stop at 256 KiB. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * What the API records of a job besides its status, carried in its message:
 * the API sends the message before it writes the record, so a worker that finds
 * no record (the API stopped in between) writes it from this.
 */
export interface JobOrigin {
  /** When the API accepted the job. */
  readonly createdAt: string;
  /** Hash of the accepted request: a message whose hash differs from its record's belongs to a refused request. */
  readonly requestHash: string;
  readonly idempotencyKey?: string;
  readonly callbackUrl?: string;
}

/** The body of every job message on a queue. */
export const jobMessageSchema = z.object({
  jobId: z.string().check(z.minLength(1), z.maxLength(MAX_JOB_ID_LENGTH)),
  type: z.string().check(z.minLength(1)),
  payload: z.unknown(),
  createdAt: z.string(),
  /** Set by the API (see {@link JobOrigin}); absent on messages sent straight to the queue. */
  requestHash: z.optional(z.string()),
  idempotencyKey: z.optional(z.string()),
  callbackUrl: z.optional(z.string()),
});

/** The body of every job message on a queue. */
export type JobMessage = z.infer<typeof jobMessageSchema>;

/** The origin a message carries, when the API sent it (it has a request hash). */
export function originOf(message: JobMessage): JobOrigin | undefined {
  if (message.requestHash === undefined) return undefined;
  return {
    createdAt: message.createdAt,
    requestHash: message.requestHash,
    ...(message.idempotencyKey !== undefined ? { idempotencyKey: message.idempotencyKey } : {}),
    ...(message.callbackUrl !== undefined ? { callbackUrl: message.callbackUrl } : {}),
  };
}

/** The public view of a job, as `GET /jobs/{jobId}` returns it. */
export interface JobView {
  readonly jobId: string;
  readonly type: string;
  readonly status: JobStatus;
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly result?: unknown;
  readonly error?: JobErrorInfo;
  readonly progress?: JobProgress;
  /** Set while a running job has been asked to stop. */
  readonly cancelRequested?: boolean;
}

/** Strips internal fields (key hash, TTL) from a record. */
export function toJobView(record: JobRecord): JobView {
  const view: JobView = {
    jobId: record.jobId,
    type: record.type,
    status: record.status,
    attempts: record.attempts,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.result !== undefined ? { result: record.result } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.progress !== undefined ? { progress: record.progress } : {}),
    ...(record.cancelRequested ? { cancelRequested: true } : {}),
  };
  return view;
}
