import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { JobLogger, JobType } from '../jobs/define.js';
import type { WorkerConfig } from '../shared/config.js';
import { isNonRetryable, QueueWorkersError, ValidationError } from '../shared/errors.js';
import { type JobErrorInfo, type JobMessage, jobMessageSchema } from '../shared/job.js';
import type { JobStore, TransitionContext } from '../shared/job-store.js';
import * as z from '../shared/zod.js';

/** What the worker needs, injected so tests pass their own. */
export interface WorkerDeps {
  readonly store: JobStore;
  readonly jobType: JobType;
  readonly config: WorkerConfig;
  readonly logger: JobLogger;
  readonly now?: () => Date;
}

function errorInfo(error: unknown): JobErrorInfo {
  if (error instanceof QueueWorkersError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name || 'Error', message: error.message };
  return { code: 'Error', message: String(error) };
}

async function processRecord(record: SQSRecord, deps: WorkerDeps, signal: AbortSignal): Promise<boolean> {
  const now = deps.now ?? (() => new Date());
  const attempt = Number(record.attributes.ApproximateReceiveCount) || 1;
  const { jobType } = deps;
  const ctxFor = (): TransitionContext => ({
    type: jobType.name,
    maxAttempts: jobType.queue.maxAttempts,
    now: now(),
    retentionDays: deps.config.retentionDays,
  });

  let envelope: JobMessage;
  try {
    envelope = z.parse(jobMessageSchema, JSON.parse(record.body));
  } catch (error) {
    deps.logger.error('message is not a job envelope', { messageId: record.messageId, error: errorInfo(error) });
    return false;
  }
  const { jobId } = envelope;
  const started = await deps.store.transition(jobId, { to: 'running', attempt }, ctxFor());
  if (!started) {
    deps.logger.info('job already finished or further along; acknowledging duplicate', { jobId, attempt });
    return true;
  }
  try {
    const payload = z.safeParse(jobType.payload, envelope.payload);
    if (!payload.success) throw new ValidationError('payload does not match the schema');
    const result = await jobType.handler(payload.data, {
      jobId,
      type: jobType.name,
      attempt,
      maxAttempts: jobType.queue.maxAttempts,
      logger: deps.logger,
      signal,
    });
    await deps.store.transition(jobId, { to: 'succeeded', attempt, result }, ctxFor());
    return true;
  } catch (error) {
    const info = errorInfo(error);
    const last = attempt >= jobType.queue.maxAttempts || isNonRetryable(error);
    await deps.store.transition(
      jobId,
      last ? { to: 'failed', attempt, error: info } : { to: 'retrying', attempt, error: info },
      ctxFor(),
    );
    deps.logger.warn('job attempt failed', { jobId, attempt, error: info });
    return false;
  }
}

/** Runs each record's job; returns the failed ones as batchItemFailures so only they are retried. */
export async function processBatch(event: SQSEvent, deps: WorkerDeps, signal: AbortSignal): Promise<SQSBatchResponse> {
  const outcomes = await Promise.all(event.Records.map((r) => processRecord(r, deps, signal).catch(() => false)));
  return {
    batchItemFailures: event.Records.filter((_, i) => !outcomes[i]).map((r) => ({ itemIdentifier: r.messageId })),
  };
}
