import type { SQSRecord } from 'aws-lambda';
import type { JobContext, JobLogger } from '../jobs/define.js';
import {
  DeadlineExceededError,
  errorInfo,
  isNonRetryable,
  NotStartedError,
  ValidationError,
} from '../shared/errors.js';
import type { JobErrorInfo, JobMessage } from '../shared/job.js';
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

  let started: boolean;
  try {
    started = await deps.store.transition(
      jobId,
      { to: 'running', attempt, messageId: record.messageId },
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
 * FIFO group failed): it comes back at once, and its status is kept. But SQS
 * has counted this receive, and on the last one its redrive policy moves the
 * message to the DLQ unrun, so then the job is marked `failed` to keep the
 * table truthful.
 */
export async function skipRecord(record: SQSRecord, deps: WorkerDeps, reason: string): Promise<RecordOutcome> {
  const attempt = attemptOf(record);
  const jobId = jobIdOfRecord(record);
  const error = errorInfo(new NotStartedError(reason));
  if (jobId && isLastAttempt(deps, attempt)) await writeStatus(deps, record, jobId, { to: 'failed', attempt, error });
  return { kind: 'not-started', jobId, attempt, error };
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
  const payload = z.safeParse(jobType.payload, message.payload);
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
  const context = new RecordJobContext(deps.logger, ids, deadline);
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
  if (isNonRetryable(error)) return deadLetter(deps, record, attempt, error, jobId, durationMs);
  const info = errorInfo(error);
  if (isLastAttempt(deps, attempt)) {
    await writeStatus(deps, record, jobId, { to: 'failed', attempt, error: info });
    return { kind: 'exhausted', jobId, attempt, error: info, durationMs };
  }
  await writeStatus(deps, record, jobId, { to: 'retrying', attempt, error: info });
  return { ...retryLater(deps, jobId, attempt, info), durationMs };
}

/**
 * Sends the record to the DLQ, then marks the job `failed`. Where the send
 * fails, the record is kept for a retry instead (or left to SQS's redrive
 * policy on its last attempt).
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
    if (jobId) {
      await writeStatus(deps, record, jobId, { to: last ? 'failed' : 'retrying', attempt, error: info });
    }
    return last
      ? { kind: 'exhausted', jobId, attempt, error: info, durationMs }
      : { ...retryLater(deps, jobId, attempt, info), durationMs };
  }
  if (jobId) await writeStatus(deps, record, jobId, { to: 'failed', attempt, error: info });
  return { kind: 'dead-lettered', jobId, attempt, error: info, durationMs };
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
