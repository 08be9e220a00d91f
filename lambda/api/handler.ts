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
import { SqsJobQueue } from './enqueue.js';
import { errorResponse } from './http.js';
import { type ApiDeps, route } from './routes.js';

// Built once per cold start; a missing variable fails here, naming it.
const config = loadApiConfig(process.env, jobTypeNames);
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
  try {
    return await route(event, deps);
  } catch (error) {
    if (!(error instanceof QueueWorkersError) || error.code === 'SERVICE_UNAVAILABLE') {
      console.error(
        JSON.stringify({
          level: 'ERROR',
          message: 'request failed',
          requestId: context.awsRequestId,
          error:
            error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
          cause: error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined,
        }),
      );
    }
    return errorResponse(error, context.awsRequestId);
  }
}
