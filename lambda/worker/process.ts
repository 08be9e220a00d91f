import { processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { WorkerDeps } from './deps.js';
import { JobBatchProcessor } from './processor.js';
import { errorInfo, runRecord } from './run-record.js';

export type { WorkerDeps, WorkerLogger, WorkerMetrics, WorkerSqs } from './deps.js';

/**
 * Runs a batch of job records and returns exactly the records to keep as
 * batchItemFailures; Lambda deletes the others. Never throws: if the batch
 * cannot be processed at all, every record is reported, so a crash costs
 * retries, not jobs, and error metrics count jobs rather than invocations.
 */
export async function processBatch(event: SQSEvent, deps: WorkerDeps, context: Context): Promise<SQSBatchResponse> {
  try {
    return (await processPartialResponse(event, runRecord, new JobBatchProcessor(deps), {
      context,
      throwOnFullBatchFailure: false,
    })) as SQSBatchResponse;
  } catch (error) {
    deps.logger.error('batch failed as a whole; reporting every record', { error: errorInfo(error) });
    return { batchItemFailures: (event.Records ?? []).map((r) => ({ itemIdentifier: r.messageId })) };
  }
}
