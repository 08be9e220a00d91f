import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { jobTypeNames, jobTypes } from '../jobs/registry.js';
import { ClaimCheck } from '../shared/claim-check.js';
import { loadApiConfig } from '../shared/config.js';
import { QueueWorkersError } from '../shared/errors.js';
import { DynamoJobStore } from '../shared/job-store.js';
import { SERVICE_NAME } from '../shared/observability.js';
import { SqsJobQueue } from './enqueue.js';
import { errorResponse } from './http.js';
import { type ApiDeps, route } from './routes.js';

// Built once per cold start; a missing variable fails here, naming it.
const config = loadApiConfig(process.env, jobTypeNames);
const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { function: 'api' } });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const sqs = new SQSClient({});
const storage = config.storage ? { bucket: config.storage.bucket, s3: new S3Client({}) } : undefined;
const deps: ApiDeps = {
  config,
  jobTypes,
  store: new DynamoJobStore({ doc, tableName: config.tableName, retentionDays: config.retentionDays }),
  queue: new SqsJobQueue(sqs),
  sqs,
  ...(storage ? { storage, claimCheck: new ClaimCheck(storage) } : {}),
};

/** API Gateway (REST, proxy integration) entry point. */
export async function handler(event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> {
  logger.addContext(context);
  try {
    return await route(event, deps);
  } catch (error) {
    // A client's mistake is its answer; what failed on our side (a 5xx, a dependency that did not answer) is logged.
    if (!(error instanceof QueueWorkersError) || error.code === 'SERVICE_UNAVAILABLE') {
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
      logger.error('request failed', {
        error: error instanceof Error ? error : String(error),
        ...(cause ? { cause: cause.message } : {}),
      });
    }
    return errorResponse(error, context.awsRequestId);
  }
}
