import type { SQSRecord } from 'aws-lambda';
import type { JobContext, JobLogger } from '../jobs/define.js';
import { DeadlineExceededError, isNonRetryable, QueueWorkersError, ValidationError } from '../shared/errors.js';
import type { JobErrorInfo, JobMessage } from '../shared/job.js';
import type { Transition, TransitionContext } from '../shared/job-store.js';
import * as z from '../shared/zod.js';
import { backoffSeconds } from './backoff.js';
import { systemClock } from './clock.js';
import { sendToDeadLetterQueue } from './dead-letter.js';
import type { Deadline } from './deadline.js';
import type { WorkerDeps } from './deps.js';
import { bindJobLogger } from './job-logger.js';
import type { RecordOutcome } from './outcome.js';

/** A failure as the job table and the DLQ attributes hold it: code and message, never a stack. */
export function errorInfo(error: unknown): JobErrorInfo {
  if (error instanceof QueueWorkersError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name || 'Error', message: error.message };
  return { code: 'Error', message: String(error) };
}

/** SQS's ApproximateReceiveCount: 1 on the first delivery. */
export function attemptOf(record: SQSRecord): number {
  const n = Number(record.attributes.ApproximateReceiveCount);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * True when `value` is a job envelope: the same verdict as `jobMessageSchema`,
 * checked by hand because it runs on every record and zod's generic walk costs
 * more than the rest of the bookkeeping. A unit test holds the two in agreement.
 */
export function isJobMessage(value: unknown): value is JobMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.jobId === 'string' &&
    m.jobId.length > 0 &&
    typeof m.type === 'string' &&
    m.type.length > 0 &&
    typeof m.createdAt === 'string' &&
    'payload' in m
  );
}

/**
 * The record's job envelope, or the reason it is not one (an error, not a
 * wrapper object: this runs on every record).
 */
export function parseEnvelope(record: SQSRecord): JobMessage | ValidationError {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    return new ValidationError('The message body is not JSON.');
  }
  return isJobMessage(json)
    ? json
    : new ValidationError('The message body is not a job envelope (jobId, type, payload, createdAt).');
}

/**
 * The context a job handler receives. Its logger is bound on first use: most
 * jobs never log, and binding one per record would cost more than the job.
 */
class RecordJobContext implements JobContext {
  #logger: JobLogger | undefined;
  constructor(
    private readonly base: JobLogger,
    private readonly messageId: string,
    readonly jobId: string,
    readonly type: string,
    readonly attempt: number,
    readonly maxAttempts: number,
    private readonly deadline: Deadline,
  ) {}
  get signal(): AbortSignal {
    return this.deadline.signal;
  }
  get logger(): JobLogger {
    this.#logger ??= bindJobLogger(this.base, {
      jobId: this.jobId,
      type: this.type,
      attempt: this.attempt,
      messageId: this.messageId,
    });
    return this.#logger;
  }
}

/** A logger bound to one attempt's ids, built only where a line is written. */
function attemptLogger(deps: WorkerDeps, record: SQSRecord, jobId: string | undefined, attempt: number): JobLogger {
  return bindJobLogger(deps.logger, { jobId, type: deps.jobType.name, attempt, messageId: record.messageId });
}

function transitionContext(deps: WorkerDeps): TransitionContext {
  return {
    type: deps.jobType.name,
    maxAttempts: deps.jobType.queue.maxAttempts,
    now: (deps.now ?? systemClock)(),
    retentionDays: deps.config.retentionDays,
  };
}

function backoff(deps: WorkerDeps, attempt: number): number {
  return backoffSeconds(deps.jobType.queue.backoff, attempt, deps.random);
}

/** Writes a status whose loss only costs accuracy, never the message: logged, not thrown. */
async function writeStatus(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  change: Exclude<Transition, { to: 'queued' }>,
): Promise<void> {
  try {
    await deps.store.transition(jobId, change, transitionContext(deps));
  } catch (error) {
    attemptLogger(deps, record, jobId, change.attempt).error('could not record the job status', {
      to: change.to,
      error: errorInfo(error),
    });
  }
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
  error: Error,
  durationMs: number | undefined,
  jobId: string | undefined,
): Promise<RecordOutcome> {
  const info = errorInfo(error);
  const last = attempt >= deps.jobType.queue.maxAttempts;
  try {
    await sendToDeadLetterQueue(deps.sqs, deps.config.dlqUrl, record, {
      error: info,
      jobId,
      type: deps.jobType.name,
      attempt,
      failedAt: (deps.now ?? systemClock)(),
    });
  } catch (sendError) {
    // Keep the record: it comes back, fails the same way, and is sent again (or redriven after the last attempt).
    attemptLogger(deps, record, jobId, attempt).error(
      'could not send the job to the dead-letter queue; keeping the message',
      { error: info, sendError: errorInfo(sendError) },
    );
    if (jobId)
      await writeStatus(
        deps,
        record,
        jobId,
        last ? { to: 'failed', attempt, error: info } : { to: 'retrying', attempt, error: info },
      );
    return last
      ? { kind: 'exhausted', jobId, attempt, error: info, durationMs }
      : { kind: 'retry', jobId, attempt, error: info, durationMs, visibilitySeconds: backoff(deps, attempt) };
  }
  if (jobId) await writeStatus(deps, record, jobId, { to: 'failed', attempt, error: info });
  return { kind: 'dead-lettered', jobId, attempt, error: info, durationMs };
}

/** The outcome of a handler that threw (or was cut off by the deadline). */
async function handlerFailed(
  deps: WorkerDeps,
  record: SQSRecord,
  deadline: Deadline,
  jobId: string,
  attempt: number,
  thrown: unknown,
  durationMs: number,
): Promise<RecordOutcome> {
  // A handler that fails because the signal aborted it (fetch, timers) failed for the deadline, not on its own.
  const error = deadline.passed && !isNonRetryable(thrown) ? new DeadlineExceededError() : thrown;
  if (isNonRetryable(error)) return deadLetter(deps, record, attempt, error as Error, durationMs, jobId);
  const info = errorInfo(error);
  if (attempt >= deps.jobType.queue.maxAttempts) {
    await writeStatus(deps, record, jobId, { to: 'failed', attempt, error: info });
    return { kind: 'exhausted', jobId, attempt, error: info, durationMs };
  }
  await writeStatus(deps, record, jobId, { to: 'retrying', attempt, error: info });
  return { kind: 'retry', jobId, attempt, error: info, durationMs, visibilitySeconds: backoff(deps, attempt) };
}

/**
 * One record's whole life: read the envelope, move the job to `running` (a
 * conditional write that also filters duplicates), validate the payload, run
 * the handler, and record the outcome. Never throws; every failure becomes an
 * outcome the batch processor turns into an acknowledgement or a batch item failure.
 *
 * Order matters where a message could be lost: a non-retryable job is sent to
 * the DLQ *before* it is marked `failed`, because a `failed` job is treated as a
 * duplicate on redelivery; if the send fails, the record is kept for a retry.
 *
 * It runs once per record, thousands of times a batch, so the common path
 * allocates no closures and binds no logger; the rare paths live in the
 * helpers above.
 */
export async function runRecord(record: SQSRecord, deps: WorkerDeps, deadline: Deadline): Promise<RecordOutcome> {
  const { jobType, store } = deps;
  const attempt = attemptOf(record);

  const message = parseEnvelope(record);
  if (message instanceof ValidationError) {
    return deadLetter(deps, record, attempt, message, undefined, record.messageAttributes.jobId?.stringValue);
  }
  const { jobId } = message;
  if (message.type !== jobType.name) {
    const error = new ValidationError(`A "${message.type}" job reached the queue of job type "${jobType.name}".`);
    return deadLetter(deps, record, attempt, error, undefined, jobId);
  }

  let started: boolean;
  try {
    started = await store.transition(
      jobId,
      { to: 'running', attempt, messageId: record.messageId },
      transitionContext(deps),
    );
  } catch (error) {
    // The table is unavailable: nothing ran and nothing was recorded; try again after a backoff.
    const info = errorInfo(error);
    attemptLogger(deps, record, jobId, attempt).error('could not mark the job running; it will be retried', {
      error: info,
    });
    return { kind: 'retry', jobId, attempt, error: info, visibilitySeconds: backoff(deps, attempt) };
  }
  if (!started) return { kind: 'duplicate', jobId, attempt };

  const payload = z.safeParse(jobType.payload, message.payload);
  if (!payload.success) {
    const details = payload.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const error = new ValidationError(`The payload does not match the schema of job type "${jobType.name}".`, details, {
      jobId,
      type: jobType.name,
      attempt,
    });
    attemptLogger(deps, record, jobId, attempt).warn('payload does not match the schema', { problems: details });
    return deadLetter(deps, record, attempt, error, undefined, jobId);
  }

  const context = new RecordJobContext(
    deps.logger,
    record.messageId,
    jobId,
    jobType.name,
    attempt,
    jobType.queue.maxAttempts,
    deadline,
  );
  const startedAt = performance.now();
  let result: unknown;
  try {
    result = await deadline.race(jobType.handler(payload.data, context));
  } catch (thrown) {
    return handlerFailed(deps, record, deadline, jobId, attempt, thrown, performance.now() - startedAt);
  }
  const durationMs = performance.now() - startedAt;

  try {
    await store.transition(jobId, { to: 'succeeded', attempt, result }, transitionContext(deps));
  } catch (error) {
    // The job ran but its result is not stored. Keep the message so a retry records it; handlers are
    // idempotent by contract (at-least-once), and a job stuck `running` forever would be worse.
    const info = errorInfo(error);
    attemptLogger(deps, record, jobId, attempt).error('could not record the result; the job will run again', {
      error: info,
    });
    return { kind: 'retry', jobId, attempt, error: info, durationMs, visibilitySeconds: backoff(deps, attempt) };
  }
  return { kind: 'succeeded', jobId, attempt, durationMs };
}
