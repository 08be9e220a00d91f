import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { jobTypeNames, jobTypes } from '../jobs/registry.js';
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
const deps: ApiDeps = {
  config,
  jobTypes,
  store: new DynamoJobStore({ doc, tableName: config.tableName, retentionDays: config.retentionDays }),
  queue: new SqsJobQueue(sqs),
  sqs,
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
