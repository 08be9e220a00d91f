import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { getJobType } from '../jobs/registry.js';
import { loadJobEventsConfig, loadWorkerConfig } from '../shared/config.js';
import { jobEventPublisher } from '../shared/job-events.js';
import { DynamoJobStore } from '../shared/job-store.js';
import { JOB_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../shared/observability.js';
import { powertoolsJobLogger } from '../shared/powertools-logger.js';
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

const jobLogger = powertoolsJobLogger(logger);

const deps: WorkerDeps = {
  config,
  jobType,
  store: new DynamoJobStore({ doc, tableName: config.tableName, retentionDays: config.retentionDays }),
  sqs: new SQSClient({}),
  logger: jobLogger,
  metrics,
  // Counted into the batch's EMF line, which the batch report publishes after every record settled.
  onFinished: jobEventPublisher({
    events: new EventBridgeClient({}),
    ...eventsConfig,
    logger: jobLogger,
    countFailure: () => metrics.addMetric(JOB_METRICS.eventsNotPublished, 'Count', 1),
  }),
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
