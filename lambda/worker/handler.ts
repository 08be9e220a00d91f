import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { getJobType } from '../jobs/registry.js';
import { loadWorkerConfig } from '../shared/config.js';
import { DynamoJobStore } from '../shared/job-store.js';
import { processBatch, type WorkerDeps } from './process.js';

const config = loadWorkerConfig(process.env);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const log = (level: string) => (message: string, extra?: Record<string, unknown>) =>
  console.log(JSON.stringify({ level, message, type: config.jobType, ...extra }));
const deps: WorkerDeps = {
  config,
  jobType: getJobType(config.jobType),
  store: new DynamoJobStore(doc, config.tableName),
  logger: { debug: log('DEBUG'), info: log('INFO'), warn: log('WARN'), error: log('ERROR') },
};

/** SQS event source entry point. */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const signal = AbortSignal.timeout(Math.max(0, context.getRemainingTimeInMillis() - 1000));
  return processBatch(event, deps, signal);
}
