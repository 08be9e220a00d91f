import type { SQSRecord } from 'aws-lambda';
import { type JobContext, type JobLogger, visibilityTimeoutSeconds } from '../jobs/define.js';
import {
  DeadLetteredError,
  DeadlineExceededError,
  errorInfo,
  isNonRetryable,
  NotStartedError,
  ValidationError,
} from '../shared/errors.js';
import type { JobErrorInfo, JobMessage, JobRecord } from '../shared/job.js';
import type { JobStorage } from '../shared/storage.js';
import type { Transition, TransitionContext } from '../shared/transitions.js';
import * as z from '../shared/zod.js';
import { backoffSeconds } from './backoff.js';
import { sendToDeadLetterQueue } from './dead-letter.js';
import type { Deadline } from './deadline.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf, jobIdOfRecord, parseEnvelope } from './envelope.js';
import { bindJobLogger } from './job-logger.js';
import type { RecordOutcome } from './outcome.js';

/**
 * One record's whole life, and the only code that writes a job's status in the
 * worker: read the envelope, move the job to `running` (a conditional write
 * that also filters duplicates), validate the payload, run the handler, and
 * record the outcome. Never throws; every failure becomes an outcome.
 *
 * Order matters where a message could be lost: a non-retryable job is sent to
 * the DLQ *before* it is marked `failed`, because a `failed` job is treated as
 * a duplicate on redelivery; if the send fails, the record is kept for a retry.
 */
export async function runRecord(record: SQSRecord, deps: WorkerDeps, deadline: Deadline): Promise<RecordOutcome> {
  const attempt = attemptOf(record);
  const message = parseEnvelope(record);
  if (message instanceof ValidationError) {
    return deadLetter(deps, record, attempt, message, record.messageAttributes.jobId?.stringValue);
  }
  const { jobId } = message;
  if (message.type !== deps.jobType.name) {
    const error = new ValidationError(`A "${message.type}" job reached the queue of job type "${deps.jobType.name}".`);
    return deadLetter(deps, record, attempt, error, jobId);
  }
  if (attempt > deps.jobType.queue.maxAttempts) return deadLetterUnfinished(deps, record, jobId, attempt);

  let started: boolean;
  try {
    const leaseSeconds = deps.config.leaseSeconds ?? visibilityTimeoutSeconds(deps.jobType.queue);
    started = await deps.store.transition(
      jobId,
      { to: 'running', attempt, messageId: record.messageId, leaseSeconds },
      storeContext(deps),
    );
  } catch (error) {
    // The table is unavailable: nothing ran and nothing was recorded; try again after a backoff.
    logFor(deps, record, jobId, attempt).error('could not mark the job running; it will be retried', {
      error: errorInfo(error),
    });
    return retryLater(deps, jobId, attempt, errorInfo(error));
  }
  if (!started) return { kind: 'duplicate', jobId, attempt };
  return runHandler(deps, record, message, attempt, deadline);
}

/**
 * A record the batch did not start (deadline, or an earlier record of its
 * FIFO group failed): it comes back at once, and its status is kept. SQS has
 * counted this receive as an attempt; on the last one, the message comes back
 * once more and is dead-lettered then (see {@link deadLetterUnfinished}).
 */
export function skipRecord(record: SQSRecord, reason: string): RecordOutcome {
  const error = errorInfo(new NotStartedError(reason));
  return { kind: 'not-started', jobId: jobIdOfRecord(record), attempt: attemptOf(record), error };
}

/**
 * A message delivered once more than the job has attempts: its last attempt
 * ended without an outcome (the worker crashed, timed out or ran out of memory,
 * or did not start it). The queue's redrive policy leaves exactly this one
 * receive to the worker, so the job is dead-lettered with its reason, as a
 * failed attempt would be; a job that did finish (its acknowledgement was lost)
 * is only acknowledged.
 */
async function deadLetterUnfinished(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  attempt: number,
): Promise<RecordOutcome> {
  let job: JobRecord | undefined;
  try {
    job = await deps.store.get(jobId);
  } catch (error) {
    return retryLater(deps, jobId, attempt, errorInfo(error));
  }
  if (job?.status === 'succeeded') return { kind: 'duplicate', jobId, attempt };
  const max = deps.jobType.queue.maxAttempts;
  const error = new DeadLetteredError(
    `The job used all ${max} attempts without an outcome: its worker stopped during the last one (a crash, a timeout or running out of memory) or did not start it.`,
    { jobId, type: deps.jobType.name, attempt: max },
  );
  return deadLetter(deps, record, max, error, jobId);
}

/** Validates the payload, runs the handler within the deadline, and records how it ended. */
async function runHandler(
  deps: WorkerDeps,
  record: SQSRecord,
  message: JobMessage,
  attempt: number,
  deadline: Deadline,
): Promise<RecordOutcome> {
  const { jobType } = deps;
  const { jobId } = message;
  // Claim check (lambda/shared/claim-check.ts): a payload the API stored is read back before validation.
  let received: unknown = message.payload;
  if (deps.claimCheck?.isStoredPayload(message)) {
    try {
      received = await deps.claimCheck.payloadOf(message, deadline.signal);
    } catch (error) {
      return handlerFailed(deps, record, jobId, attempt, error, 0);
    }
  }
  const payload = z.safeParse(jobType.payload, received);
  if (!payload.success) {
    const details = payload.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const error = new ValidationError(`The payload does not match the schema of job type "${jobType.name}".`, details, {
      jobId,
      type: jobType.name,
      attempt,
    });
    logFor(deps, record, jobId, attempt).warn('payload does not match the schema', { problems: details });
    return deadLetter(deps, record, attempt, error, jobId);
  }

  const ids = {
    jobId,
    type: jobType.name,
    attempt,
    maxAttempts: jobType.queue.maxAttempts,
    messageId: record.messageId,
  };
  const context = new RecordJobContext(deps.logger, ids, deadline, deps.storage);
  const startedAt = performance.now();
  let result: unknown;
  try {
    result = await deadline.race(jobType.handler(payload.data, context));
  } catch (thrown) {
    // A handler that fails because the signal aborted it (fetch, timers) failed for the deadline, not on its own.
    const error = deadline.passed && !isNonRetryable(thrown) ? new DeadlineExceededError() : thrown;
    return handlerFailed(deps, record, jobId, attempt, error, performance.now() - startedAt);
  }
  const durationMs = performance.now() - startedAt;

  try {
    // Claim check: a result too large for the job table is stored in the bucket, the record keeps a reference.
    if (deps.claimCheck) result = await deps.claimCheck.storedResult(jobId, result, deadline.signal);
    await deps.store.transition(jobId, { to: 'succeeded', attempt, result }, storeContext(deps));
  } catch (error) {
    // The job ran but its result is not stored. Keep the message so a retry records it; handlers are
    // idempotent by contract (at-least-once), and a job stuck `running` forever would be worse.
    logFor(deps, record, jobId, attempt).error('could not record the result; the job will run again', {
      error: errorInfo(error),
    });
    return { ...retryLater(deps, jobId, attempt, errorInfo(error)), durationMs };
  }
  return { kind: 'succeeded', jobId, attempt, durationMs };
}

/** The outcome of a handler that threw (or was cut off by the deadline). */
async function handlerFailed(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  attempt: number,
  error: unknown,
  durationMs: number,
): Promise<RecordOutcome> {
  if (isNonRetryable(error) || isLastAttempt(deps, attempt)) {
    return deadLetter(deps, record, attempt, error, jobId, durationMs);
  }
  const info = errorInfo(error);
  await writeStatus(deps, record, jobId, { to: 'retrying', attempt, error: info });
  return { ...retryLater(deps, jobId, attempt, info), durationMs };
}

/**
 * Sends the record to the DLQ with its reason, then marks the job `failed`, so
 * that `failed` and "in the DLQ" agree from the moment the status changes.
 * Where the send fails, the record is kept: it comes back and is sent again
 * (after the last attempt, as the one extra delivery the queue allows).
 */
async function deadLetter(
  deps: WorkerDeps,
  record: SQSRecord,
  attempt: number,
  error: unknown,
  jobId: string | undefined,
  durationMs?: number,
): Promise<RecordOutcome> {
  const info = errorInfo(error);
  const last = isLastAttempt(deps, attempt);
  // Out of attempts but not rejected outright: the job is exhausted rather than refused.
  const kind = last && !isNonRetryable(error) ? 'exhausted' : 'dead-lettered';
  try {
    await sendToDeadLetterQueue(deps.sqs, deps.config.dlqUrl, record, {
      error: info,
      jobId,
      type: deps.jobType.name,
      attempt,
      failedAt: (deps.now ?? (() => new Date()))(),
    });
  } catch (sendError) {
    // Keep the record: it comes back, fails the same way, and is sent again (or redriven after the last attempt).
    logFor(deps, record, jobId, attempt).error('could not send the job to the dead-letter queue; keeping the message', {
      error: info,
      sendError: errorInfo(sendError),
    });
    // Not `failed` before the message is in the DLQ; an attempt left is worth its `retrying`.
    if (jobId && !last) await writeStatus(deps, record, jobId, { to: 'retrying', attempt, error: info });
    return { ...retryLater(deps, jobId, attempt, info), durationMs };
  }
  if (jobId) await writeStatus(deps, record, jobId, { to: 'failed', attempt, error: info });
  return { kind, jobId, attempt, error: info, durationMs };
}

/** A retry outcome, with the backoff the job type's policy draws for this attempt. */
function retryLater(
  deps: WorkerDeps,
  jobId: string | undefined,
  attempt: number,
  error: JobErrorInfo,
): RecordOutcome & { kind: 'retry' } {
  const visibilitySeconds = backoffSeconds(deps.jobType.queue.backoff, attempt, deps.random);
  return { kind: 'retry', jobId, attempt, error, visibilitySeconds };
}

/** Writes a status whose loss only costs accuracy, never the message: logged, not thrown. */
async function writeStatus(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  change: Exclude<Transition, { from: string }>,
): Promise<void> {
  try {
    await deps.store.transition(jobId, change, storeContext(deps));
  } catch (error) {
    logFor(deps, record, jobId, change.attempt).error('could not record the job status', {
      to: change.to,
      error: errorInfo(error),
    });
  }
}

function isLastAttempt(deps: WorkerDeps, attempt: number): boolean {
  return attempt >= deps.jobType.queue.maxAttempts;
}

/** What the store needs to create a record for a job that a producer sent straight to the queue. */
function storeContext(deps: WorkerDeps): TransitionContext {
  return { type: deps.jobType.name, maxAttempts: deps.jobType.queue.maxAttempts };
}

/** A logger bound to one attempt's ids, built only where a line is written. */
function logFor(deps: WorkerDeps, record: SQSRecord, jobId: string | undefined, attempt: number): JobLogger {
  return bindJobLogger(deps.logger, { jobId, type: deps.jobType.name, attempt, messageId: record.messageId });
}

/** The ids and limits of one attempt, as its handler sees them. */
interface AttemptIds {
  readonly jobId: string;
  readonly type: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly messageId: string;
}

/**
 * The context a job handler receives. Its logger is bound on first use: most
 * jobs never log.
 */
class RecordJobContext implements JobContext {
  #logger: JobLogger | undefined;
  readonly jobId: string;
  readonly type: string;
  readonly attempt: number;
  readonly maxAttempts: number;

  constructor(
    private readonly base: JobLogger,
    private readonly ids: AttemptIds,
    private readonly deadline: Deadline,
    /** The bucket, for job types that declared storage access. */
    readonly storage?: JobStorage,
  ) {
    this.jobId = ids.jobId;
    this.type = ids.type;
    this.attempt = ids.attempt;
    this.maxAttempts = ids.maxAttempts;
  }

  get signal(): AbortSignal {
    return this.deadline.signal;
  }

  get logger(): JobLogger {
    const { jobId, type, attempt, messageId } = this.ids;
    this.#logger ??= bindJobLogger(this.base, { jobId, type, attempt, messageId });
    return this.#logger;
  }
}
