import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { getJobType } from '../jobs/registry.js';
import { ClaimCheck } from '../shared/claim-check.js';
import { loadWorkerConfig } from '../shared/config.js';
import { DynamoJobStore } from '../shared/job-store.js';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../shared/observability.js';
import { powertoolsJobLogger } from '../shared/powertools-logger.js';
import type { JobStorage } from '../shared/storage.js';
import { processBatch, type WorkerDeps } from './process.js';

const config = loadWorkerConfig(process.env);
const jobType = getJobType(config.jobType);
const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { type: jobType.name } });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  defaultDimensions: { type: jobType.name },
});
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const storage: JobStorage | undefined = config.bucketName
  ? { bucket: config.bucketName, s3: new S3Client({}) }
  : undefined;
// Handlers see the bucket only when their type declared access to it; the stack grants no more.
const declaresStorage = jobType.storage.read.length > 0 || jobType.storage.write.length > 0;

const deps: WorkerDeps = {
  config,
  jobType,
  store: new DynamoJobStore({ doc, tableName: config.tableName, retentionDays: config.retentionDays }),
  sqs: new SQSClient({}),
  logger: powertoolsJobLogger(logger),
  metrics,
  ...(storage ? { claimCheck: new ClaimCheck(storage) } : {}),
  ...(storage && declaresStorage ? { storage } : {}),
};

/** SQS event source entry point: Lambda context on the logs, then one call into the batch logic. */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.addContext(context);
  return processBatch(event, deps, context);
}
