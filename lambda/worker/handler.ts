import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { getJobType } from '../jobs/registry.js';
import { ClaimCheck } from '../shared/claim-check.js';
import { completionCallbacks } from '../shared/completion-callbacks.js';
import { loadCallbackConfig, loadJobEventsConfig, loadWorkerConfig } from '../shared/config.js';
import { jobEventPublisher } from '../shared/job-events.js';
import { composeListeners } from '../shared/job-finished.js';
import { DynamoJobStore } from '../shared/job-store.js';
import { JOB_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../shared/observability.js';
import { powertoolsJobLogger } from '../shared/powertools-logger.js';
import type { JobStorage } from '../shared/storage.js';
import { processBatch, type WorkerDeps } from './process.js';

const config = loadWorkerConfig(process.env);
const eventsConfig = loadJobEventsConfig(process.env);
const jobType = getJobType(config.jobType);
const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { type: jobType.name } });
const metrics = new Metrics({
  namespace: METRICS_NAMESPACE,
  serviceName: SERVICE_NAME,
  defaultDimensions: { type: jobType.name },
});
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const store = new DynamoJobStore({ doc, tableName: config.tableName, retentionDays: config.retentionDays });
const sqs = new SQSClient({});
const jobLogger = powertoolsJobLogger(logger);
const callbacks = loadCallbackConfig(process.env);
const storage: JobStorage | undefined = config.bucketName
  ? { bucket: config.bucketName, s3: new S3Client({}) }
  : undefined;
// Handlers see the bucket only when their type declared access to it; the stack grants no more.
const declaresStorage = jobType.storage.read.length > 0 || jobType.storage.write.length > 0;

const deps: WorkerDeps = {
  config,
  jobType,
  store,
  sqs,
  logger: jobLogger,
  metrics,
  // Each finished job is announced on the bus and, when it asked for one, to its callback URL.
  onFinished: composeListeners(
    // Counted into the batch's EMF line, which the batch report publishes after every record settled.
    jobEventPublisher({
      events: new EventBridgeClient({}),
      ...eventsConfig,
      logger: jobLogger,
      countFailure: () => metrics.addMetric(JOB_METRICS.eventsNotPublished, 'Count', 1),
    }),
    callbacks && completionCallbacks({ store, sqs, config: callbacks, logger: jobLogger }),
  ),
  ...(storage ? { claimCheck: new ClaimCheck(storage) } : {}),
  ...(storage && declaresStorage ? { storage } : {}),
};

let coldStart = true;

/**
 * SQS event source entry point: the request id on the logs, then one call into
 * the batch logic. Not Powertools' whole Lambda context: the function's name,
 * ARN and memory are the log group's and the REPORT line's already, and would
 * be half of each batch's summary line (CloudWatch bills logs by the byte).
 */
export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  logger.appendKeys({ function_request_id: context.awsRequestId, cold_start: coldStart });
  coldStart = false;
  return processBatch(event, deps, context);
}
