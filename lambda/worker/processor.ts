import {
  BasePartialBatchProcessor,
  BatchProcessingError,
  EventType,
  FullBatchFailureError,
} from '@aws-lambda-powertools/batch';
import type {
  BaseRecord,
  BatchProcessingOptions,
  FailureResponse,
  SuccessResponse,
} from '@aws-lambda-powertools/batch/types';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { NotStartedError } from '../shared/errors.js';
import { systemClock } from './clock.js';
import { Deadline } from './deadline.js';
import type { WorkerDeps } from './deps.js';
import { isAcknowledged, type RecordOutcome } from './outcome.js';
import { attemptOf, errorInfo, parseEnvelope } from './run-record.js';
import { changeVisibility, type VisibilityChange } from './visibility.js';

/** Runs one record to an outcome; {@link runRecord} in production. */
export type JobRecordHandler = (record: SQSRecord, deps: WorkerDeps, deadline: Deadline) => Promise<RecordOutcome>;

/** The deadline margin when the configuration sets none: 10% of the invocation, between 200 ms and 3 s. */
export function defaultDeadlineMarginMs(remainingMs: number): number {
  return Math.min(3000, Math.max(200, Math.round(remainingMs * 0.1)));
}

/** Job durations kept per batch for the `duration` metric: one EMF line's worth. */
export const DURATION_SAMPLES = 100;

/** Per-batch tallies, published as one EMF value per metric and batch. */
interface Tally {
  succeeded: number;
  retried: number;
  failed: number;
  duplicates: number;
  notStarted: number;
}

/**
 * Powertools' partial batch processor, extended with what a job queue needs and
 * `BatchProcessor` lacks. From Powertools it keeps the bookkeeping (success and
 * failure lists, the `batchItemFailures` response, FullBatchFailureError) and
 * the entry point `processPartialResponse`. It replaces `process()` to add:
 * - a concurrency limit per batch (`BatchProcessor` starts every record at once),
 *   and FIFO message groups run side by side, each in order, a group stopping at
 *   its first failure (`SqsFifoPartialProcessorAsync` runs the whole batch serially);
 * - a deadline: an AbortSignal that fires a margin before the Lambda timeout, and
 *   no record starts with less than twice the margin left;
 * - backoff: retried records get a visibility from the job type's policy, and
 *   records not started or out of attempts are made visible at once;
 * - per-type metrics (succeeded, retried, failed, duration).
 *
 * Run it with `throwOnFullBatchFailure: false`, so a batch where every record
 * failed is reported record by record instead of failing the invocation.
 */
export class JobBatchProcessor extends BasePartialBatchProcessor {
  readonly #deps: WorkerDeps;
  #deadline = new Deadline(Number.POSITIVE_INFINITY);
  #changes: VisibilityChange[] = [];
  #tally: Tally = { succeeded: 0, retried: 0, failed: 0, duplicates: 0, notStarted: 0 };
  #pending: Promise<void>[] = [];
  #handler: JobRecordHandler = async () => {
    throw new BatchProcessingError('no record handler registered');
  };
  // Kept here and handed to Powertools' store once per batch: its accessors read
  // an environment variable on every call, which adds up over thousands of records.
  #durations: number[] = [];
  #seen = 0;
  #successes: SQSRecord[] = [];
  #failures: SQSRecord[] = [];
  #errors: Error[] = [];
  #results: (SuccessResponse | FailureResponse)[] = [];
  /** Index of the next record (or FIFO group) a lane takes. */
  #next = 0;
  #context: Context | undefined;
  #margin = 0;
  // What `register` was given, kept here too: Powertools' store reads an environment variable per access.
  #records: SQSRecord[] = [];
  #options: BatchProcessingOptions | undefined;
  #response: SQSBatchResponse = { batchItemFailures: [] };

  constructor(deps: WorkerDeps) {
    super(EventType.SQS);
    this.#deps = deps;
  }

  override register(records: BaseRecord[], handler: CallableFunction, options?: BatchProcessingOptions): this {
    super.register(records, handler, options);
    this.#records = records as SQSRecord[];
    this.#handler = handler as JobRecordHandler;
    if (options) this.#options = options;
    return this;
  }

  /**
   * Runs the registered records. The processor can be reused batch after
   * batch (one per function, as Powertools builds its own at module scope):
   * every per-batch field is reset here, but not by two batches at once.
   */
  override async process(): Promise<(SuccessResponse | FailureResponse)[]> {
    this.#changes = [];
    this.#pending = [];
    this.#durations = [];
    this.#seen = 0;
    this.#successes = [];
    this.#failures = [];
    this.#errors = [];
    this.#results = [];
    this.#next = 0;
    this.#deps.logger.startBatch?.();
    this.#tally = { succeeded: 0, retried: 0, failed: 0, duplicates: 0, notStarted: 0 };
    const records = this.#records;
    this.#context = this.#options?.context as Context | undefined;
    const atStart = this.#remaining();
    const margin = this.#deps.config.deadlineMarginMs ?? defaultDeadlineMarginMs(atStart);
    this.#margin = margin;
    const deadline = new Deadline(atStart - margin);
    this.#deadline = deadline;

    try {
      const settings = this.#deps.jobType.queue;
      // At least one lane, whatever the settings say: every record must end with an outcome.
      const width = Math.max(1, settings.concurrencyPerBatch);
      if (settings.fifo) {
        const groups = new Map<string, SQSRecord[]>();
        for (const r of records) {
          const id = r.attributes.MessageGroupId ?? '';
          const group = groups.get(id);
          if (group) group.push(r);
          else groups.set(id, [r]);
        }
        const lanes: Promise<void>[] = [];
        const all = [...groups.values()];
        for (let i = 0; i < Math.min(width, all.length); i++) lanes.push(this.#groupLane(all));
        await Promise.all(lanes);
      } else {
        // One lane per record allowed to run at once; each takes the next record when it is free.
        const lanes: Promise<void>[] = [];
        for (let i = 0; i < Math.min(width, records.length); i++) lanes.push(this.#lane(records));
        await Promise.all(lanes);
      }
    } finally {
      deadline.dispose();
    }
    if (this.#changes.length > 0 || this.#pending.length > 0) {
      await Promise.all([
        changeVisibility(this.#deps.sqs, this.#deps.config.queueUrl, this.#changes, this.#deps.logger),
        ...this.#pending,
      ]);
    }
    this.#publishMetrics();
    this.#report(records.length);
    return this.#results;
  }

  /**
   * Powertools' `prepare()` and `clean()` in one pass over its store, which
   * reads an environment variable on every access: the lists, and the
   * response, or FullBatchFailureError when every record failed and the
   * options do not say `throwOnFullBatchFailure: false`.
   */
  #report(total: number): void {
    this.successMessages = this.#successes;
    this.failureMessages = this.#failures;
    this.errors = this.#errors;
    const failures = this.#failures;
    // Cleared first, so a processor used again never answers with an earlier batch's response.
    this.#response = { batchItemFailures: [] };
    if (failures.length > 0 && failures.length === total && this.#options?.throwOnFullBatchFailure !== false) {
      throw new FullBatchFailureError(this.#errors);
    }
    const items = this.#response.batchItemFailures;
    for (const r of failures) items.push({ itemIdentifier: r.messageId });
    this.batchResponse = this.#response;
  }

  /** The last batch's response: what {@link JobBatchProcessor.process} stored. */
  override response(): SQSBatchResponse {
    return this.#response;
  }

  /** Milliseconds left in the invocation; `Infinity` without a Lambda context. */
  #remaining(): number {
    return this.#context ? this.#context.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY;
  }

  /** No record starts once the deadline has passed or less than twice the margin is left. */
  #canStart(): boolean {
    return !this.#deadline.passed && this.#remaining() >= 2 * this.#margin;
  }

  /**
   * Runs standard-queue records one after another, taking the next unclaimed
   * one each time; `concurrencyPerBatch` lanes run side by side. The record's
   * outcome is settled here rather than through `processRecord`, which would
   * add a promise per record.
   */
  async #lane(records: readonly SQSRecord[]): Promise<void> {
    while (this.#next < records.length) {
      const record = records[this.#next++] as SQSRecord;
      if (!this.#canStart()) {
        this.#results.push(this.#notStarted(record, 'Not started: the worker was near its deadline.'));
        continue;
      }
      let outcome: RecordOutcome;
      try {
        outcome = await this.#handler(record, this.#deps, this.#deadline);
      } catch (error) {
        this.#results.push(this.#threw(record, error));
        continue;
      }
      this.#results.push(this.#settle(record, outcome));
    }
  }

  /**
   * Runs FIFO message groups, taking the next unclaimed group each time: a
   * group's records in order, and after its first failure the rest of the
   * group is reported unstarted.
   */
  async #groupLane(groups: readonly SQSRecord[][]): Promise<void> {
    while (this.#next < groups.length) {
      const group = groups[this.#next++] as SQSRecord[];
      let blockedBy: string | undefined;
      for (const r of group) {
        if (blockedBy !== undefined) {
          this.#results.push(
            this.#notStarted(
              r,
              `An earlier job of message group ${r.attributes.MessageGroupId} failed (message ${blockedBy}); kept in order.`,
            ),
          );
        } else if (!this.#canStart()) {
          this.#results.push(this.#notStarted(r, 'Not started: the worker was near its deadline.'));
          blockedBy = r.messageId;
        } else {
          const entry = await this.processRecord(r);
          this.#results.push(entry);
          if (entry[0] === 'fail') blockedBy = r.messageId;
        }
      }
    }
  }

  override successHandler(record: SQSRecord, result: unknown): SuccessResponse {
    this.#successes.push(record);
    return ['success', result, record];
  }

  override failureHandler(record: SQSRecord, error: Error): FailureResponse {
    this.#failures.push(record);
    this.#errors.push(error);
    return ['fail', error.message, record];
  }

  override async processRecord(record: SQSRecord): Promise<SuccessResponse | FailureResponse> {
    let outcome: RecordOutcome;
    try {
      outcome = await this.#handler(record, this.#deps, this.#deadline);
    } catch (error) {
      return this.#threw(record, error);
    }
    return this.#settle(record, outcome);
  }

  /** Books a record's outcome: metrics, its log line, its visibility, and success or failure. */
  #settle(record: SQSRecord, outcome: RecordOutcome): SuccessResponse | FailureResponse {
    this.#observe(record, outcome);
    if (isAcknowledged(outcome)) return this.successHandler(record, outcome);
    this.#visible(record, outcome.kind === 'retry' ? outcome.visibilitySeconds : 0);
    return this.failureHandler(record, BatchItemFailure.of(outcome));
  }

  /** runRecord does not throw; a custom handler might. Keep the record and retry it after the queue timeout. */
  #threw(record: SQSRecord, error: unknown): FailureResponse {
    this.#deps.logger.error('record handler threw', { messageId: record.messageId, error: errorInfo(error) });
    this.#tally.failed += 1;
    return this.failureHandler(record, error instanceof Error ? error : new Error(String(error)));
  }

  override processRecordSync(): SuccessResponse | FailureResponse {
    throw new BatchProcessingError('JobBatchProcessor is asynchronous; use processPartialResponse.');
  }

  /**
   * A record left unstarted is reported as failed and made visible at once. Its
   * status is not touched, so it stays `queued` or `retrying`; but SQS has
   * counted this receive. On its last receive SQS's redrive policy would move it
   * to the DLQ unrun, so then it is marked `failed` (NOT_STARTED) to keep the
   * table truthful.
   */
  #notStarted(record: SQSRecord, message: string): FailureResponse {
    const attempt = attemptOf(record);
    const error = new NotStartedError(message);
    const outcome: RecordOutcome = { kind: 'not-started', attempt, error: errorInfo(error) };
    if (attempt >= this.#deps.jobType.queue.maxAttempts) this.#pending.push(this.#failUnstarted(record, outcome));
    this.#observe(record, outcome);
    this.#visible(record, 0);
    return this.failureHandler(record, error);
  }

  async #failUnstarted(record: SQSRecord, outcome: RecordOutcome & { kind: 'not-started' }): Promise<void> {
    const message = parseEnvelope(record);
    if (message instanceof Error) return;
    const { jobType, config } = this.#deps;
    try {
      await this.#deps.store.transition(
        message.jobId,
        { to: 'failed', attempt: outcome.attempt, error: outcome.error },
        {
          type: jobType.name,
          maxAttempts: jobType.queue.maxAttempts,
          now: (this.#deps.now ?? systemClock)(),
          retentionDays: config.retentionDays,
        },
      );
    } catch (error) {
      this.#deps.logger.error('could not record the job status', {
        jobId: message.jobId,
        error: errorInfo(error),
      });
    }
  }

  #visible(record: SQSRecord, seconds: number): void {
    this.#changes.push({ messageId: record.messageId, receiptHandle: record.receiptHandle, seconds });
  }

  #observe(record: SQSRecord, outcome: RecordOutcome): void {
    const { logger, jobType } = this.#deps;
    const type = jobType.name;
    const { jobId, attempt } = outcome;
    const { messageId } = record;
    // Each line's attributes are built in one literal: spreading a shared `keys` object costs more, per record.
    switch (outcome.kind) {
      case 'succeeded':
        this.#tally.succeeded += 1;
        this.#sampleDuration(outcome.durationMs);
        logger.info('job succeeded', { jobId, type, attempt, messageId, durationMs: outcome.durationMs });
        break;
      case 'duplicate':
        this.#tally.duplicates += 1;
        logger.info('job already finished; acknowledging the duplicate delivery', { jobId, type, attempt, messageId });
        break;
      case 'retry':
        this.#tally.retried += 1;
        if (outcome.durationMs !== undefined) this.#sampleDuration(outcome.durationMs);
        logger.warn('job attempt failed; will retry', {
          jobId,
          type,
          attempt,
          messageId,
          error: outcome.error,
          retryInSeconds: outcome.visibilitySeconds,
        });
        break;
      case 'dead-lettered':
        this.#tally.failed += 1;
        if (outcome.durationMs !== undefined) this.#sampleDuration(outcome.durationMs);
        logger.error('job failed and cannot be retried; sent to the dead-letter queue', {
          jobId,
          type,
          attempt,
          messageId,
          error: outcome.error,
        });
        break;
      case 'exhausted':
        this.#tally.failed += 1;
        if (outcome.durationMs !== undefined) this.#sampleDuration(outcome.durationMs);
        logger.error('job failed on its last attempt; SQS moves it to the dead-letter queue', {
          jobId,
          type,
          attempt,
          messageId,
          error: outcome.error,
        });
        break;
      case 'not-started':
        this.#tally.notStarted += 1;
        logger.warn('record not started; it comes back at once', {
          jobId,
          type,
          attempt,
          messageId,
          reason: outcome.error.message,
        });
        break;
    }
  }

  /**
   * Keeps a uniform random sample of at most {@link DURATION_SAMPLES} job
   * durations per batch (reservoir sampling). EMF holds 100 values per metric
   * per line, so a 10,000-record batch would otherwise print 100 metric lines;
   * a uniform sample keeps the percentiles and the average unbiased, and the
   * job counts come from succeeded/retried/failed.
   */
  #sampleDuration(ms: number): void {
    this.#seen += 1;
    if (this.#durations.length < DURATION_SAMPLES) this.#durations.push(ms);
    else {
      const slot = Math.floor((this.#deps.random ?? Math.random)() * this.#seen);
      if (slot < DURATION_SAMPLES) this.#durations[slot] = ms;
    }
  }

  #publishMetrics(): void {
    const { metrics } = this.#deps;
    const t = this.#tally;
    const counts: [string, number][] = [
      ['succeeded', t.succeeded],
      ['retried', t.retried],
      ['failed', t.failed],
    ];
    if (t.duplicates) counts.push(['duplicates', t.duplicates]);
    if (t.notStarted) counts.push(['notStarted', t.notStarted]);
    if (metrics.addMetricValues) {
      metrics.addMetricValues('duration', 'Milliseconds', this.#durations);
      for (const [name, n] of counts) metrics.addMetricValues(name, 'Count', [n]);
    } else {
      for (const ms of this.#durations) metrics.addMetric('duration', 'Milliseconds', ms);
      for (const [name, n] of counts) metrics.addMetric(name, 'Count', n);
    }
    metrics.publishStoredMetrics();
  }
}

/** The error Powertools keeps for a failed record; its message is the outcome's. */
export class BatchItemFailure extends Error {
  readonly outcome: RecordOutcome;
  constructor(outcome: RecordOutcome) {
    super('error' in outcome ? `${outcome.error.code}: ${outcome.error.message}` : outcome.kind);
    this.name = 'BatchItemFailure';
    this.outcome = outcome;
  }

  /**
   * A failure marker without a stack trace. It is bookkeeping, never thrown,
   * and capturing a stack for each of thousands of failed records is the
   * single most expensive thing the batch would otherwise do.
   */
  static of(outcome: RecordOutcome): BatchItemFailure {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return new BatchItemFailure(outcome);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}
