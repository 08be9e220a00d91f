import type { SQSRecord } from 'aws-lambda';
import type { JobLogger } from '../jobs/define.js';
import {
  DeadLetteredError,
  DeadlineExceededError,
  errorInfo,
  isNonRetryable,
  NotStartedError,
  ValidationError,
} from '../shared/errors.js';
import { type JobErrorInfo, type JobMessage, type JobOrigin, type JobRecord, originOf } from '../shared/job.js';
import { announceFinished, type FinishedJob, type FinishedJobListener } from '../shared/job-finished.js';
import type { Fail, RetryLater, TransitionContext } from '../shared/transitions.js';
import * as z from '../shared/zod.js';
import { AttemptControl } from './attempt-control.js';
import { backoffSeconds } from './backoff.js';
import { sendToDeadLetterQueue } from './dead-letter.js';
import type { Deadline } from './deadline.js';
import type { WorkerDeps } from './deps.js';
import { attemptOf, jobIdOfRecord, parseEnvelope } from './envelope.js';
import { RecordJobContext } from './job-context.js';
import { bindJobLogger } from './job-logger.js';
import type { LaneTimers } from './lane-timers.js';
import type { RecordOutcome } from './outcome.js';
import { startAttempt, storeContextOf } from './start.js';

/**
 * One record's whole life, and the only code that writes a job's status in the
 * worker: read the envelope, start the attempt (one read that filters
 * duplicates; `running` is written at once only where it must be, see
 * {@link startAttempt}), validate the payload, run the handler, and record the
 * outcome. Never throws; every failure becomes an outcome.
 *
 * Order matters where a message could be lost: a non-retryable job is sent to
 * the DLQ *before* it is marked `failed`, because a `failed` job is treated as
 * a duplicate on redelivery; if the send fails, the record is kept for a retry.
 *
 * `lane` is the scheduler's lane that runs the record: the deadline's race for
 * the handler and the timer of a deferred `running` write are kept by lane
 * (see {@link Deadline} and {@link LaneTimers}).
 */
export async function runRecord(
  record: SQSRecord,
  deps: WorkerDeps,
  batch: BatchTimers,
  lane: number,
): Promise<RecordOutcome> {
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
  // Every write of this record creates the job's record from the message's origin where it is missing.
  const context = storeContextOf(deps, originOf(message));
  if (attempt > deps.jobType.queue.maxAttempts) return deadLetterUnfinished(deps, record, jobId, attempt, context);

  const start = await startAttempt(deps, record, jobId, context, attempt, batch.runningMarks, lane);
  if (start.kind === 'duplicate') return { kind: 'duplicate', jobId, attempt };
  if (start.kind === 'cancelled') return { kind: 'cancelled', jobId, attempt, ran: false };
  if (start.kind === 'unavailable') {
    // The table is unavailable: nothing ran and nothing was recorded; try again after a backoff.
    logFor(deps, record, jobId, attempt).error('could not mark the job running; it will be retried', {
      error: start.error,
    });
    return retryLater(deps, jobId, attempt, start.error);
  }
  const { deadline } = batch;
  const control = new AttemptControl(deps, jobId, attempt, start.marker, deadline);
  const end = await runAttempt(deps, record, message, attempt, control, deadline, lane);
  const known: KnownJob = { ...(start.job ? { record: start.job } : {}), context };
  switch (end.kind) {
    case 'returned':
      return recordResult(deps, record, jobId, attempt, end, control, known, deadline.signal);
    case 'cancelled':
      return endCancelled(deps, record, jobId, attempt, end.durationMs);
    case 'threw':
      return handlerFailed(deps, record, jobId, attempt, end.error, end.durationMs, known);
    case 'invalid':
      return deadLetter(deps, record, attempt, end.error, jobId, undefined, known);
  }
}

/**
 * What the worker knows of a record's job besides its id: the record as read at
 * the start of the attempt, if it was, and how the record's writes create it
 * where it is missing (see {@link storeContextOf}).
 */
interface KnownJob {
  readonly record?: JobRecord;
  readonly context: TransitionContext;
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
  context: TransitionContext,
): Promise<RecordOutcome> {
  let job: JobRecord | undefined;
  try {
    job = await deps.store.get(jobId);
  } catch (error) {
    return retryLater(deps, jobId, attempt, errorInfo(error));
  }
  if (job?.status === 'succeeded') return { kind: 'duplicate', jobId, attempt };
  if (job?.status === 'cancelled') return { kind: 'cancelled', jobId, attempt, ran: false };
  const max = deps.jobType.queue.maxAttempts;
  const error = new DeadLetteredError(
    `The job used all ${max} attempts without an outcome: its worker stopped during the last one (a crash, a timeout or running out of memory) or did not start it.`,
    { jobId, type: deps.jobType.name, attempt: max },
  );
  return deadLetter(deps, record, max, error, jobId, undefined, { ...(job ? { record: job } : {}), context });
}

/** What every record of a batch shares: its deadline, and its lanes' timers for deferred `running` writes. */
export interface BatchTimers {
  readonly deadline: Deadline;
  readonly runningMarks: LaneTimers;
}

/** How an attempt ended, before anything of it is recorded. */
type AttemptEnd =
  /** The handler returned `result`. */
  | { readonly kind: 'returned'; readonly result: unknown; readonly durationMs: number }
  /** The handler stopped after it was told the job is cancelled, whatever it threw. */
  | { readonly kind: 'cancelled'; readonly durationMs: number }
  /** The handler threw or was cut off by the deadline, or the stored payload could not be read. */
  | { readonly kind: 'threw'; readonly error: unknown; readonly durationMs: number }
  /** The payload does not match the type's schema: the handler did not run. */
  | { readonly kind: 'invalid'; readonly error: ValidationError };

/**
 * Reads and validates the payload and runs the handler within the deadline.
 * Records nothing: whatever happens, the attempt's control is settled first
 * (its `running` and progress writes, if any went out, land before the outcome's).
 */
async function runAttempt(
  deps: WorkerDeps,
  record: SQSRecord,
  message: JobMessage,
  attempt: number,
  control: AttemptControl,
  deadline: Deadline,
  lane: number,
): Promise<AttemptEnd> {
  const { jobType } = deps;
  const { jobId } = message;
  try {
    // Claim check (lambda/shared/claim-check.ts): a payload the API stored is read back before validation.
    let received: unknown = message.payload;
    if (deps.claimCheck?.isStoredPayload(message)) {
      try {
        received = await deps.claimCheck.payloadOf(message, deadline.signal);
      } catch (error) {
        return { kind: 'threw', error, durationMs: 0 };
      }
    }
    const payload = z.safeParse(jobType.payload, received);
    if (!payload.success) {
      const details = payload.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      logFor(deps, record, jobId, attempt).warn('payload does not match the schema', { problems: details });
      const error = new ValidationError(
        `The payload does not match the schema of job type "${jobType.name}".`,
        details,
        { jobId, type: jobType.name, attempt },
      );
      return { kind: 'invalid', error };
    }
    const ids = {
      jobId,
      type: jobType.name,
      attempt,
      maxAttempts: jobType.queue.maxAttempts,
      messageId: record.messageId,
    };
    const context = new RecordJobContext(deps.logger, ids, control, deps.storage);
    const startedAt = performance.now();
    try {
      const result = await deadline.race(jobType.handler(payload.data, context), lane);
      return { kind: 'returned', result, durationMs: performance.now() - startedAt };
    } catch (thrown) {
      const durationMs = performance.now() - startedAt;
      if (control.cancelled) return { kind: 'cancelled', durationMs };
      // A handler that fails because the signal aborted it (fetch, timers) failed for the deadline, not on its own.
      const error = deadline.passed && !isNonRetryable(thrown) ? new DeadlineExceededError() : thrown;
      return { kind: 'threw', error, durationMs };
    }
  } finally {
    // Most short jobs leave no write in flight: then there is nothing to wait for.
    const writes = control.settle();
    if (writes) await writes;
  }
}

/** Records a handler's result: the job `succeeded`, unless the table refuses (a duplicate, or a cancellation). */
async function recordResult(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  attempt: number,
  { result, durationMs }: AttemptEnd & { kind: 'returned' },
  control: AttemptControl,
  known: KnownJob,
  signal: AbortSignal,
): Promise<RecordOutcome> {
  try {
    // Claim check: a result too large for the job table is stored in the bucket, the record keeps a reference.
    const stored = deps.claimCheck ? await deps.claimCheck.storedResult(jobId, result, signal) : result;
    const won = await deps.store.transition(
      jobId,
      // The last progress report not written yet, if any, rides on this write (undefined when there is none).
      { to: 'succeeded', attempt, result: stored, messageId: record.messageId, progress: control.unwritten },
      known.context,
    );
    if (!won) return refusedResult(deps, record, jobId, attempt, durationMs);
    // Without a listener there is no announcement to build, nor to wait for.
    if (deps.onFinished) {
      const finished = { jobId, status: 'succeeded', attempts: attempt, result: stored } as const;
      await announce(deps.onFinished, deps, finished, known.record, known.context.origin);
    }
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

/**
 * A result the table refused: another delivery finished the job first (a
 * duplicate), or it was cancelled while this attempt ran, before it showed as
 * running. Then its result is not recorded: the job stays `cancelled`.
 */
async function refusedResult(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  attempt: number,
  durationMs: number,
): Promise<RecordOutcome> {
  const job = await deps.store.get(jobId).catch(() => undefined);
  if (job?.status !== 'cancelled') return { kind: 'duplicate', jobId, attempt };
  logFor(deps, record, jobId, attempt).warn('the job was cancelled while it ran; its result is not recorded', {
    durationMs,
  });
  return { kind: 'cancelled', jobId, attempt, ran: true, durationMs };
}

/** A handler that stopped after it was told the job is cancelled: the job ends `cancelled`. */
async function endCancelled(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  attempt: number,
  durationMs: number,
): Promise<RecordOutcome> {
  try {
    // Refused when the job was cancelled before it showed as running: it is `cancelled` already.
    await deps.store.transition(jobId, { to: 'cancelled', from: 'running', attempt }, storeContextOf(deps));
  } catch (error) {
    logFor(deps, record, jobId, attempt).error('could not record the cancellation; the job will be retried', {
      error: errorInfo(error),
    });
    return { ...retryLater(deps, jobId, attempt, errorInfo(error)), durationMs };
  }
  return { kind: 'cancelled', jobId, attempt, ran: true, durationMs };
}

/** The outcome of a handler that threw (or was cut off by the deadline). */
async function handlerFailed(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  attempt: number,
  error: unknown,
  durationMs: number,
  known: KnownJob,
): Promise<RecordOutcome> {
  if (isNonRetryable(error) || isLastAttempt(deps, attempt)) {
    return deadLetter(deps, record, attempt, error, jobId, durationMs, known);
  }
  const info = errorInfo(error);
  const retrying: RetryLater = { to: 'retrying', attempt, error: info, messageId: record.messageId };
  await writeStatus(deps, record, jobId, retrying, known.context);
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
  known: KnownJob = { context: storeContextOf(deps) },
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
    if (jobId && !last) {
      const retrying: RetryLater = { to: 'retrying', attempt, error: info, messageId: record.messageId };
      await writeStatus(deps, record, jobId, retrying, known.context);
    }
    return { ...retryLater(deps, jobId, attempt, info), durationMs };
  }
  if (
    jobId &&
    (await writeStatus(
      deps,
      record,
      jobId,
      { to: 'failed', attempt, error: info, messageId: record.messageId },
      known.context,
    ))
  ) {
    if (deps.onFinished) {
      const finished = { jobId, status: 'failed', attempts: attempt, error: info } as const;
      await announce(deps.onFinished, deps, finished, known.record, known.context.origin);
    }
  }
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

/**
 * Writes a status whose loss only costs accuracy, never the message: logged,
 * not thrown. True when this write won the transition.
 */
async function writeStatus(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  change: RetryLater | Fail,
  context: TransitionContext,
): Promise<boolean> {
  try {
    return await deps.store.transition(jobId, change, context);
  } catch (error) {
    logFor(deps, record, jobId, change.attempt).error('could not record the job status', {
      to: change.to,
      error: errorInfo(error),
    });
    return false;
  }
}

function isLastAttempt(deps: WorkerDeps, attempt: number): boolean {
  return attempt >= deps.jobType.queue.maxAttempts;
}

/** A logger bound to one attempt's ids, built only where a line is written. */
function logFor(deps: WorkerDeps, record: SQSRecord, jobId: string | undefined, attempt: number): JobLogger {
  return bindJobLogger(deps.logger, { jobId, type: deps.jobType.name, attempt, messageId: record.messageId });
}

/**
 * Tells `listener` (job events, callbacks) of a job whose terminal write this
 * attempt won, with the record as it was read at the start, if it was, and
 * the origin its message carried, if the API sent it.
 */
export function announce(
  listener: FinishedJobListener,
  deps: WorkerDeps,
  finished: Omit<FinishedJob, 'type' | 'finishedAt' | 'record' | 'origin'>,
  job: JobRecord | undefined,
  origin: JobOrigin | undefined,
): Promise<void> {
  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  const told: FinishedJob = {
    ...finished,
    type: deps.jobType.name,
    finishedAt,
    ...(job ? { record: job } : {}),
    ...(origin ? { origin } : {}),
  };
  return announceFinished(listener, told, deps.logger);
}
