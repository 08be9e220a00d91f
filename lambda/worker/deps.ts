import type { ChangeMessageVisibilityBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { JobType } from '../jobs/define.js';
import type { ClaimCheck } from '../shared/claim-check.js';
import type { WorkerConfig } from '../shared/config.js';
import type { FinishedJobListener } from '../shared/job-finished.js';
import type { JobStore } from '../shared/job-store.js';
import type { WorkerLogger } from '../shared/powertools-logger.js';
import type { JobStorage } from '../shared/storage.js';

/**
 * The two SQS calls the worker makes: SendMessage to the DLQ and
 * ChangeMessageVisibilityBatch on its own queue. An `SQSClient` fits; tests and
 * the benchmark pass stubs.
 */
export interface WorkerSqs {
  send(command: SendMessageCommand | ChangeMessageVisibilityBatchCommand): Promise<unknown>;
}

/**
 * The part of Powertools' `Metrics` the worker uses (a `Metrics` fits): EMF,
 * with the job type as a default dimension.
 */
export interface WorkerMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  /** False once Powertools has flushed a full line by itself (it does at 100 values of one metric). */
  hasStoredMetrics(): boolean;
  publishStoredMetrics(): unknown;
}

export type { WorkerLogger } from '../shared/powertools-logger.js';

/** What the worker needs, injected so tests and the benchmark pass their own. */
export interface WorkerDeps {
  readonly store: JobStore;
  // biome-ignore lint/suspicious/noExplicitAny: any job type; its payload is validated by its own schema before its handler sees it.
  readonly jobType: JobType<any, unknown>;
  readonly config: WorkerConfig;
  readonly sqs: WorkerSqs;
  /** Structured logger; the worker binds jobId, type and attempt to every line about a job. */
  readonly logger: WorkerLogger;
  readonly metrics: WorkerMetrics;
  /** Told of each job whose terminal write this worker won (job events, callbacks). @default none */
  readonly onFinished?: FinishedJobListener;
  /** The time a dead letter records as `failedAt`. @default () => new Date() */
  readonly now?: () => Date;
  /** How often a running job that reports no progress checks whether it was asked to stop. @default 5000 */
  readonly cancelCheckMs?: number;
  /** Source of backoff jitter, in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * Reads payloads the API stored in the bucket, and stores results too large
   * for the job table, transparently to handlers.
   * @default none - payloads and results travel as they are
   */
  readonly claimCheck?: ClaimCheck;
  /**
   * The stack's bucket, given to handlers of job types that declare storage access (`ctx.storage`).
   * @default none
   */
  readonly storage?: JobStorage;
}
