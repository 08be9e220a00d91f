import type { $ZodType, output } from 'zod/v4/core';
import { NonRetryableError } from '../shared/errors.js';
import type { BucketArea, JobStorage } from '../shared/storage.js';
import type { JobSchedule } from './schedules.js';

export { NonRetryableError, RetryableError } from '../shared/errors.js';
export type { JobSchedule } from './schedules.js';

/** Minimal structured logger handed to job handlers; bound to the job's ids. */
export interface JobLogger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

/** What a job handler receives besides its payload. */
export interface JobContext {
  readonly jobId: string;
  readonly type: string;
  /** 1 on the first delivery; SQS's ApproximateReceiveCount. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly logger: JobLogger;
  /**
   * Fires before the worker's Lambda timeout, or when someone cancels the job
   * while it runs (its reason is then a `CancelledError`); pass it to fetch and
   * timers. A handler that stops when it fires for a cancellation ends the job `cancelled`.
   */
  readonly signal: AbortSignal;
  /**
   * Reports how far the job got: a number (0 to 100, by convention) or a JSON
   * object of at most 4 KB. Stored on the job (at most one write a second, the
   * latest value winning) and shown by `GET /jobs/{id}`, `qw` and the dashboard.
   * Resolves at once; a failed write is logged, never thrown.
   */
  progress(value: number | Readonly<Record<string, unknown>>): Promise<void>;
  /**
   * The stack's bucket, for a job type that declares {@link JobTypeDefinition.storage}
   * access; undefined for the others (and where a test passes none).
   */
  readonly storage?: JobStorage;
}

/**
 * A job handler: payload in, JSON-serialisable result out. Throw to fail the
 * attempt: any error is retried with backoff until `maxAttempts`, except a
 * {@link NonRetryableError} (see {@link nonRetryable}), which fails the job at once.
 */
export type JobHandler<P, R> = (payload: P, ctx: JobContext) => Promise<R>;

/**
 * Wraps any error as a {@link NonRetryableError}, keeping it as the cause, so a
 * handler can say "retrying cannot help" in one line:
 * `catch (error) { throw nonRetryable(error, 'the account is closed') }`.
 */
export function nonRetryable(error: unknown, message?: string): NonRetryableError {
  if (error instanceof NonRetryableError && message === undefined) return error;
  const text = message ?? (error instanceof Error ? error.message : String(error));
  return new NonRetryableError(text, { cause: error });
}

/** Exponential backoff with full jitter between attempts. */
export interface BackoffPolicy {
  /** Delay scale for the first retry, in seconds. */
  readonly baseSeconds: number;
  /** No retry waits longer than this, in seconds. */
  readonly capSeconds: number;
}

/**
 * Queue and worker settings of a job type. The stack derives every resource
 * setting from these; nothing else is tuned by hand.
 */
export interface QueueSettings {
  /**
   * A FIFO queue: jobs of one group run in order, one at a time.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Records per worker invocation (1–10 for FIFO, 1–10,000 for standard).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers records before invoking, in seconds (0–300). Required
   * above a batch size of 10; not available on FIFO queues.
   * @default 0 - invoke as soon as records are available
   */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * Most concurrent worker invocations for this type (2–1,000).
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Records processed at once inside one invocation (standard queues only).
   * @default 10
   */
  readonly concurrencyPerBatch?: number;
  /**
   * Worker Lambda timeout, in seconds (1–900). The queue's visibility timeout is derived from it.
   * @default 30
   */
  readonly timeoutSeconds?: number;
  /**
   * Worker Lambda memory, in MB (128–10,240).
   * @default 256
   */
  readonly memoryMb?: number;
  /**
   * Attempts before a job is `failed` and parked in the DLQ (1–1,000). The
   * queue's maxReceiveCount is one more: that receive is the worker's, to
   * dead-letter a job whose last attempt ended without an outcome.
   * @default 3
   */
  readonly maxAttempts?: number;
  /**
   * Delay between attempts.
   * @default { baseSeconds: 1, capSeconds: 300 }
   */
  readonly backoff?: BackoffPolicy;
  /**
   * Alarm when the oldest queued job is older than this, in seconds.
   * @default 900
   */
  readonly maxAgeAlarmSeconds?: number;
  /**
   * Seconds a job runs before the worker writes its `running` status, with the
   * lease the reconciler watches. A shorter job is read once and written once,
   * when it ends: with the API's, two writes in all. The last attempt, and a
   * redriven job, are marked `running` at once whatever this says. 0 marks
   * every attempt at once.
   * @default 1
   */
  readonly markRunningAfterSeconds?: number;
}

/** Settings with every default applied. */
export type ResolvedQueueSettings = Required<QueueSettings>;

/**
 * The areas of the stack's bucket a job type's worker reads and writes, beyond
 * what every worker may (read `payloads/`, write `results/`: the claim check).
 * The stack grants exactly these, per key prefix.
 */
export interface StorageAccess {
  /** @default none */
  readonly read?: readonly BucketArea[];
  /** @default none */
  readonly write?: readonly BucketArea[];
}

/** What a job type's result view may use: download URLs minted when the job is read. */
export interface ResultLinks {
  /** A presigned GET URL for an object of the stack's bucket, valid for the stack's download URL lifetime. */
  downloadUrl(key: string): Promise<string>;
}

/**
 * A job type as the registry holds it. `N` and `S` keep the literal name and
 * the payload's own schema, so a producer's types can be derived from the
 * registry (`@queue-workers/client`); code that holds every type in one list
 * uses the defaults.
 */
export interface JobType<P = unknown, R = unknown, N extends string = string, S extends $ZodType = $ZodType<P>> {
  /** Routing key clients send as `type`: lower case, digits, `.` and `-`. */
  readonly name: N;
  readonly description: string;
  /** Validates the payload at the API and again in the worker. */
  readonly payload: S;
  /**
   * The job's work; see {@link JobHandler}. Declared as a method on purpose:
   * method parameters are compared bivariantly, so a type with a specific
   * payload is still a `JobType` (the stack, the API and the worker hold every
   * type in one list, and the schema checks the payload before the call).
   */
  handler(payload: P, ctx: JobContext): Promise<R>;
  readonly queue: ResolvedQueueSettings;
  /** EventBridge Scheduler schedules that create jobs of this type; see `scheduleProblems` for the checks. */
  readonly schedules?: readonly JobSchedule<P>[];
  readonly storage: Required<StorageAccess>;
  readonly nativeModules: readonly string[];
  precheck?(payload: P, storage: JobStorage): Promise<void>;
  readonly presentResult?: (result: unknown, links: ResultLinks) => Promise<unknown>;
}

/** What a job type's file declares. */
export interface JobTypeDefinition<P, R, N extends string = string, S extends $ZodType = $ZodType<P>> {
  readonly name: N;
  readonly description: string;
  readonly payload: S;
  readonly handler: JobHandler<P, R>;
  readonly queue?: QueueSettings;
  /**
   * Schedules that create a job of this type at their times, straight on its
   * queue: `[{ name: 'nightly', cron: '0 3 * * ? *', payload: {...} }]`.
   * @default none
   */
  readonly schedules?: readonly JobSchedule<P>[];
  /**
   * What the worker reads and writes in the stack's bucket; the handler gets it as `ctx.storage`.
   * @default no access beyond the claim check's
   */
  readonly storage?: StorageAccess;
  /**
   * Packages with native binaries that the worker loads (lazily: every worker bundles
   * the whole registry). The worker's asset gets them installed for Lambda's platform
   * (linux, arm64, glibc) instead of bundled; every other function leaves them out.
   * @default none
   */
  readonly nativeModules?: readonly string[];
  /**
   * Checks the API makes before it accepts a job, beyond the payload's schema:
   * that what the payload names exists. Throw a `QueueWorkersError` (such as
   * `UploadNotFoundError`, a 422) to refuse the job; anything else is a 503.
   * @default none
   */
  precheck?(payload: P, storage: JobStorage): Promise<void>;
  /**
   * Turns a succeeded job's stored result into what `GET /jobs/{id}` shows,
   * when it is read: e.g. adds presigned download URLs, which must not be stored.
   * @default the stored result, as is
   */
  readonly presentResult?: (result: unknown, links: ResultLinks) => Promise<unknown>;
}

/** The defaults every job type starts from. */
export const DEFAULT_QUEUE_SETTINGS: ResolvedQueueSettings = Object.freeze({
  fifo: false,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 5,
  concurrencyPerBatch: 10,
  timeoutSeconds: 30,
  memoryMb: 256,
  maxAttempts: 3,
  backoff: Object.freeze({ baseSeconds: 1, capSeconds: 300 }),
  maxAgeAlarmSeconds: 900,
  markRunningAfterSeconds: 1,
});

/** SQS's ceiling on a visibility timeout and on a message's visibility change. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;

/**
 * The queue's visibility timeout: six times the worker timeout plus the batching
 * window, as AWS recommends, so a record is never redelivered while a worker
 * (or Lambda's own retries of a throttled invoke) still holds it.
 */
export function visibilityTimeoutSeconds(settings: ResolvedQueueSettings): number {
  return 6 * settings.timeoutSeconds + settings.maxBatchingWindowSeconds;
}

const NAME_PATTERN = /^[a-z][a-z0-9]*(?:[.-][a-z0-9]+)*$/;

/** An integer setting's range, and what to tell someone outside it. */
interface IntegerRule {
  readonly min: number;
  readonly max: number;
  readonly fix: string;
}

/** The integer settings and their ranges; batchSize's depends on FIFO (see {@link batchSizeRule}), markRunningAfterSeconds's on the timeout. */
const INTEGER_RULES: Readonly<
  Record<
    Exclude<keyof ResolvedQueueSettings, 'fifo' | 'backoff' | 'batchSize' | 'markRunningAfterSeconds'>,
    IntegerRule
  >
> = {
  timeoutSeconds: {
    min: 1,
    max: 900,
    fix: 'Lambda stops a function after 900 s; split longer work into several jobs.',
  },
  memoryMb: { min: 128, max: 10_240, fix: 'Lambda accepts 128-10240 MB.' },
  maxAttempts: {
    min: 1,
    max: 1000,
    fix: "With one more receive, it becomes the DLQ redrive policy's maxReceiveCount.",
  },
  maxConcurrency: { min: 2, max: 1000, fix: "It becomes the event source mapping's MaximumConcurrency." },
  concurrencyPerBatch: { min: 1, max: 10_000, fix: 'Use 1 to process records one by one.' },
  maxBatchingWindowSeconds: { min: 0, max: 300, fix: 'Lambda waits at most 300 s to fill a batch.' },
  maxAgeAlarmSeconds: { min: 60, max: 1_209_600, fix: 'Use a value between a minute and the retention period.' },
};

function batchSizeRule(fifo: boolean): IntegerRule {
  return fifo
    ? { min: 1, max: 10, fix: 'FIFO queues deliver at most 10 records per batch; set batchSize to 10 or less.' }
    : { min: 1, max: 10_000, fix: 'Lambda reads at most 10,000 records per batch.' };
}

function outOfRange(label: string, value: number, { min, max, fix }: IntegerRule): string | undefined {
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return `${label} is ${value}; it must be an integer from ${min} to ${max}. ${fix}`;
}

/**
 * Every problem with a job type's settings, each saying how to fix it. The CDK
 * app refuses to synthesize while any remain.
 */
export function settingsProblems(name: string, s: ResolvedQueueSettings): string[] {
  const at = `Job type "${name}":`;
  const problems: (string | undefined)[] = [];
  if (!NAME_PATTERN.test(name) || name.length > 40) {
    problems.push(
      `${at} the name must be 1-40 lower-case letters and digits, separated by "." or "-" (e.g. "webhook.deliver").`,
    );
  }
  for (const [key, rule] of Object.entries(INTEGER_RULES)) {
    problems.push(outOfRange(`${at} ${key}`, s[key as keyof typeof INTEGER_RULES], rule));
  }
  problems.push(outOfRange(`${at} batchSize`, s.batchSize, batchSizeRule(s.fifo)));
  if (!(s.markRunningAfterSeconds >= 0 && s.markRunningAfterSeconds < s.timeoutSeconds)) {
    problems.push(
      `${at} markRunningAfterSeconds is ${s.markRunningAfterSeconds}; it must be from 0 to less than timeoutSeconds (${s.timeoutSeconds}), or a running job would hold no lease.`,
    );
  }
  if (s.fifo && s.maxBatchingWindowSeconds > 0) {
    problems.push(`${at} FIFO queues do not support a batching window; set maxBatchingWindowSeconds to 0.`);
  }
  if (!s.fifo && s.batchSize > 10 && s.maxBatchingWindowSeconds < 1) {
    problems.push(
      `${at} batchSize ${s.batchSize} is over 10, which Lambda allows only with a batching window; set maxBatchingWindowSeconds to at least 1, or batchSize to 10 or less.`,
    );
  }
  const visibility = visibilityTimeoutSeconds(s);
  if (visibility > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `${at} the derived visibility timeout (6 x timeoutSeconds + maxBatchingWindowSeconds = ${visibility} s) is over SQS's ${MAX_VISIBILITY_TIMEOUT_SECONDS} s; lower timeoutSeconds.`,
    );
  }
  const { baseSeconds, capSeconds } = s.backoff;
  if (!(baseSeconds > 0) || !(capSeconds >= baseSeconds) || capSeconds > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `${at} backoff must have 0 < baseSeconds <= capSeconds <= ${MAX_VISIBILITY_TIMEOUT_SECONDS}; got base ${baseSeconds}, cap ${capSeconds}.`,
    );
  }
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * Declares a job type: fills in the default settings. Problems in the settings
 * are reported by {@link settingsProblems} when the stack is synthesized. The
 * result keeps the literal name (`const N`) and the schema's own type, which is
 * what a producer's payload (`z.input`) and result types are derived from.
 */
export function defineJobType<const N extends string, S extends $ZodType, R>(
  definition: JobTypeDefinition<output<S>, R, N, S>,
): JobType<output<S>, R, N, S> {
  const queue: ResolvedQueueSettings = Object.freeze({
    ...DEFAULT_QUEUE_SETTINGS,
    ...definition.queue,
    backoff: Object.freeze({ ...DEFAULT_QUEUE_SETTINGS.backoff, ...definition.queue?.backoff }),
  });
  const storage = Object.freeze({
    read: Object.freeze([...(definition.storage?.read ?? [])]),
    write: Object.freeze([...(definition.storage?.write ?? [])]),
  });
  return Object.freeze({
    name: definition.name,
    description: definition.description,
    payload: definition.payload,
    handler: definition.handler,
    queue,
    schedules: Object.freeze([...(definition.schedules ?? [])]),
    storage,
    nativeModules: Object.freeze([...(definition.nativeModules ?? [])]),
    ...(definition.precheck ? { precheck: definition.precheck } : {}),
    ...(definition.presentResult ? { presentResult: definition.presentResult } : {}),
  });
}
