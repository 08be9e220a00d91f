import type { APIGatewayProxyEvent, Context, SQSEvent, SQSRecord } from 'aws-lambda';
import apiSample from '../events/apigw-proxy-event.json' with { type: 'json' };
import sqsSample from '../events/sqs-event.json' with { type: 'json' };

let counter = 0;

/** An SQS record shaped like AWS's documented sample, with `body` and overrides. */
export function sqsRecord(body: unknown, overrides: Partial<SQSRecord> & { receiveCount?: number } = {}): SQSRecord {
  const sample = sqsSample.Records[0] as unknown as SQSRecord;
  const { receiveCount, ...rest } = overrides;
  counter += 1;
  return {
    ...sample,
    messageId: `msg-${counter}`,
    receiptHandle: `rh-${counter}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...rest,
    attributes: {
      ...sample.attributes,
      ...(receiveCount !== undefined ? { ApproximateReceiveCount: String(receiveCount) } : {}),
      ...rest.attributes,
    },
  };
}

/** A job message record, as the API sends them. */
export function jobRecord(
  jobId: string,
  type: string,
  payload: unknown,
  overrides: Partial<SQSRecord> & { receiveCount?: number } = {},
): SQSRecord {
  return sqsRecord({ jobId, type, payload, createdAt: '2026-01-01T00:00:00.000Z' }, overrides);
}

/** An SQS event of the given records. */
export function sqsEvent(records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** An API Gateway REST proxy event shaped like AWS's documented sample. */
export function apiEvent(options: {
  method: string;
  resource: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
}): APIGatewayProxyEvent {
  const sample = apiSample as unknown as APIGatewayProxyEvent;
  const body =
    options.body === undefined ? null : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = {
    Host: '1234567890.execute-api.us-east-1.amazonaws.com',
    'X-Forwarded-Proto': 'https',
    ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    ...options.headers,
  };
  return {
    ...sample,
    httpMethod: options.method,
    resource: options.resource,
    path: options.path,
    body,
    isBase64Encoded: false,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: options.pathParameters ?? null,
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: options.query
      ? Object.fromEntries(Object.entries(options.query).map(([k, v]) => [k, [v]]))
      : null,
    requestContext: {
      ...sample.requestContext,
      httpMethod: options.method,
      resourcePath: options.resource,
      path: `/prod${options.path}`,
      stage: 'prod',
    },
  };
}

/** A Lambda context whose deadline is `remainingMs` from now. */
export function lambdaContext(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test-fn',
    memoryLimitInMB: '256',
    awsRequestId: 'req-123',
    logGroupName: '/aws/lambda/test-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
