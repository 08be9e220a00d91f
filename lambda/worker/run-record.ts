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

/** The record's job envelope, or the reason it is not one. */
export function parseEnvelope(record: SQSRecord): { ok: true; message: JobMessage } | { ok: false; error: Error } {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    return { ok: false, error: new ValidationError('The message body is not JSON.') };
  }
  if (!isJobMessage(json)) {
    return {
      ok: false,
      error: new ValidationError('The message body is not a job envelope (jobId, type, payload, createdAt).'),
    };
  }
  return { ok: true, message: json };
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
 */
export async function runRecord(record: SQSRecord, deps: WorkerDeps, deadline: Deadline): Promise<RecordOutcome> {
  const { signal } = deadline;
  const { jobType, store } = deps;
  const now = deps.now ?? systemClock;
  const attempt = attemptOf(record);
  const maxAttempts = jobType.queue.maxAttempts;
  const last = attempt >= maxAttempts;
  const transitionContext = (): TransitionContext => ({
    type: jobType.name,
    maxAttempts,
    now: now(),
    retentionDays: deps.config.retentionDays,
  });

  const envelope = parseEnvelope(record);
  if (!envelope.ok) {
    const jobId = record.messageAttributes.jobId?.stringValue;
    const logger = bindJobLogger(deps.logger, { jobId, type: jobType.name, attempt, messageId: record.messageId });
    return deadLetter(envelope.error, undefined, jobId, logger);
  }
  const { jobId } = envelope.message;
  const logger = bindJobLogger(deps.logger, { jobId, type: jobType.name, attempt, messageId: record.messageId });

  // Writes a status whose loss only costs accuracy, never the message: logged, not thrown.
  const record_ = async (change: Transition): Promise<void> => {
    try {
      await store.transition(jobId, change, transitionContext());
    } catch (error) {
      logger.error('could not record the job status', { to: change.to, error: errorInfo(error) });
    }
  };

  async function deadLetter(
    error: Error,
    durationMs: number | undefined,
    id: string | undefined,
    log: JobLogger,
  ): Promise<RecordOutcome> {
    const info = errorInfo(error);
    try {
      await sendToDeadLetterQueue(deps.sqs, deps.config.dlqUrl, record, {
        error: info,
        jobId: id,
        type: jobType.name,
        attempt,
        failedAt: now(),
      });
    } catch (sendError) {
      // Keep the record: it comes back, fails the same way, and is sent again (or redriven after the last attempt).
      log.error('could not send the job to the dead-letter queue; keeping the message', {
        error: info,
        sendError: errorInfo(sendError),
      });
      if (id) await record_(last ? { to: 'failed', attempt, error: info } : { to: 'retrying', attempt, error: info });
      return last
        ? { kind: 'exhausted', jobId: id, attempt, error: info, durationMs }
        : { kind: 'retry', jobId: id, attempt, error: info, durationMs, visibilitySeconds: backoff() };
    }
    if (id) await record_({ to: 'failed', attempt, error: info });
    return { kind: 'dead-lettered', jobId: id, attempt, error: info, durationMs };
  }

  function backoff(): number {
    return backoffSeconds(jobType.queue.backoff, attempt, deps.random);
  }

  if (envelope.message.type !== jobType.name) {
    const error = new ValidationError(
      `A "${envelope.message.type}" job reached the queue of job type "${jobType.name}".`,
    );
    return deadLetter(error, undefined, jobId, logger);
  }

  let started: boolean;
  try {
    started = await store.transition(
      jobId,
      { to: 'running', attempt, messageId: record.messageId },
      transitionContext(),
    );
  } catch (error) {
    // The table is unavailable: nothing ran and nothing was recorded; try again after a backoff.
    const info = errorInfo(error);
    logger.error('could not mark the job running; it will be retried', { error: info });
    return { kind: 'retry', jobId, attempt, error: info, visibilitySeconds: backoff() };
  }
  if (!started) return { kind: 'duplicate', jobId, attempt };

  const payload = z.safeParse(jobType.payload, envelope.message.payload);
  if (!payload.success) {
    const details = payload.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const error = new ValidationError(`The payload does not match the schema of job type "${jobType.name}".`, details, {
      jobId,
      type: jobType.name,
      attempt,
    });
    logger.warn('payload does not match the schema', { problems: details });
    return deadLetter(error, undefined, jobId, logger);
  }

  const context: JobContext = { jobId, type: jobType.name, attempt, maxAttempts, logger, signal };
  const startedAt = performance.now();
  let result: unknown;
  try {
    result = await deadline.race(jobType.handler(payload.data, context));
  } catch (thrown) {
    const durationMs = performance.now() - startedAt;
    // A handler that fails because the signal aborted it (fetch, timers) failed for the deadline, not on its own.
    const error = signal.aborted && !isNonRetryable(thrown) ? new DeadlineExceededError() : thrown;
    if (isNonRetryable(error)) return deadLetter(error as Error, durationMs, jobId, logger);
    const info = errorInfo(error);
    if (last) {
      await record_({ to: 'failed', attempt, error: info });
      return { kind: 'exhausted', jobId, attempt, error: info, durationMs };
    }
    await record_({ to: 'retrying', attempt, error: info });
    return { kind: 'retry', jobId, attempt, error: info, durationMs, visibilitySeconds: backoff() };
  }
  const durationMs = performance.now() - startedAt;

  try {
    await store.transition(jobId, { to: 'succeeded', attempt, result }, transitionContext());
  } catch (error) {
    // The job ran but its result is not stored. Keep the message so a retry records it; handlers are
    // idempotent by contract (at-least-once), and a job stuck `running` forever would be worse.
    const info = errorInfo(error);
    logger.error('could not record the result; the job will run again', { error: info });
    return { kind: 'retry', jobId, attempt, error: info, durationMs, visibilitySeconds: backoff() };
  }
  return { kind: 'succeeded', jobId, attempt, durationMs };
}
