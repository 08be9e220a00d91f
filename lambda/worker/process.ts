import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { errorInfo } from '../shared/errors.js';
import { BatchReport } from './batch-report.js';
import { batchDeadline } from './deadline.js';
import type { WorkerDeps } from './deps.js';
import { LaneTimers } from './lane-timers.js';
import { isAcknowledged, type RecordOutcome } from './outcome.js';
import { runRecord, skipRecord } from './run-record.js';
import { runScheduled } from './schedule.js';
import { changeVisibility, type VisibilityChange } from './visibility.js';

export type { WorkerDeps, WorkerLogger, WorkerMetrics, WorkerSqs } from './deps.js';

/**
 * Runs a batch of job records and returns exactly the records to keep as
 * `batchItemFailures`; Lambda deletes the others. Never throws: if the batch
 * cannot be processed at all, every record is reported, so a crash costs
 * retries, not jobs, and error metrics count jobs rather than invocations.
 *
 * The partial batch response is ours, not Powertools' `BatchProcessor`: it is a
 * small documented contract (the ids of the records to keep), and the worker
 * needs what that processor's public surface does not offer (a concurrency
 * limit, FIFO groups side by side, a deadline, backoff through visibility).
 * Extending it would mean writing its internal state by hand, which a minor
 * Powertools release could break. Powertools stays for logging and metrics.
 */
export async function processBatch(event: SQSEvent, deps: WorkerDeps, context?: Context): Promise<SQSBatchResponse> {
  const records = event.Records ?? [];
  try {
    deps.logger.startBatch?.();
    const report = new BatchReport(deps.logger, deps.jobType.name, deps.random);
    const { deadline, canStart } = batchDeadline(context, deps.config.deadlineMarginMs);
    const runningMarks = new LaneTimers(deps.jobType.queue.markRunningAfterSeconds * 1000);
    const batch = { deadline, runningMarks };
    const settle = (record: (typeof records)[number], outcome: RecordOutcome) => {
      report.add(record, outcome);
      return outcome;
    };
    let outcomes: RecordOutcome[];
    try {
      const { fifo, concurrencyPerBatch } = deps.jobType.queue;
      outcomes = await runScheduled(
        records,
        { width: concurrencyPerBatch, fifo, canStart },
        {
          run: async (record, lane) => settle(record, await runRecord(record, deps, batch, lane)),
          skip: (record, reason) => settle(record, skipRecord(record, reason)),
          blocksGroup: (outcome) => !isAcknowledged(outcome),
        },
      );
    } finally {
      deadline.dispose();
      runningMarks.dispose();
    }
    const failures: SQSBatchItemFailure[] = [];
    const changes: VisibilityChange[] = [];
    records.forEach((record, i) => {
      const outcome = outcomes[i];
      if (outcome && isAcknowledged(outcome)) return;
      failures.push({ itemIdentifier: record.messageId });
      // A retry waits out its backoff; a record out of attempts or not started comes back at once.
      const seconds = outcome?.kind === 'retry' ? outcome.visibilitySeconds : 0;
      changes.push({ messageId: record.messageId, receiptHandle: record.receiptHandle, seconds });
    });
    await changeVisibility(deps.sqs, deps.config.queueUrl, changes, deps.logger);
    report.summarize();
    report.publish(deps.metrics);
    return { batchItemFailures: failures };
  } catch (error) {
    deps.logger.error('batch failed as a whole; reporting every record', { error: errorInfo(error) });
    return { batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) };
  }
}
