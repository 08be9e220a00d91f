import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  MethodNotAllowedError,
  NotFoundError,
  QueueWorkersError,
  ServiceUnavailableError,
  ValidationError,
} from '../shared/errors.js';
import type { JobRecord } from '../shared/job.js';
import { MAX_JOB_ID_LENGTH, toJobView } from '../shared/job.js';
import { quote } from '../shared/quote.js';
import { redrive } from '../shared/redrive.js';
import type { JobStorage } from '../shared/storage.js';
import * as z from '../shared/zod.js';
import { submitAdmitted } from './admission.js';
import { cancelJob } from './cancel.js';
import { errorBody, header, jobUrl, json, readJsonBody } from './http.js';
import { viewJob } from './job-view.js';
import { API_ROUTES, type OperationId } from './route-table.js';
import { fieldProblems, idempotencyKey, redriveRequest, submitBatchRequest } from './schemas.js';
import { crashBetweenSteps } from './step-fault.js';
import type { SubmitDeps, SubmitResult } from './submit.js';
import { createUpload } from './uploads.js';

/**
 * Body limit of `POST /jobs` and `POST /jobs/batch`: 6 MiB. API Gateway takes
 * 10 MB, but hands the body to Lambda inside the proxy event, and a synchronous
 * invocation takes at most 6 MB (6,291,456 bytes) in all; API Gateway answers a
 * body whose event is larger with its own 413 before the function runs. A
 * payload over one SQS message travels by claim check.
 */
export const MAX_JOB_BODY_BYTES = 6 * 1024 * 1024;
/** Body limit of `POST /jobs/batch`: the same event limit. */
export const MAX_BATCH_BODY_BYTES = MAX_JOB_BODY_BYTES;

/**
 * What the API needs: the submit dependencies, SQS itself for DLQ redrive, and
 * the bucket for uploads, prechecks and stored results.
 */
export type ApiDeps = SubmitDeps & { readonly sqs?: SQSClient; readonly storage?: JobStorage };

type Route = (event: APIGatewayProxyEvent, deps: ApiDeps) => Promise<APIGatewayProxyResult>;

/** The handler of each operation in the route table. */
const HANDLERS: Readonly<Record<OperationId, Route>> = {
  submitJob: submitOne,
  submitJobs: submitBatch,
  getJob,
  cancelJob: cancel,
  redriveDeadLetters: redriveDlq,
  createUpload,
};

/** The API's routes, by API Gateway resource path and method, from {@link API_ROUTES}. */
export const ROUTES: Readonly<Record<string, Readonly<Record<string, Route>>>> = API_ROUTES.reduce<
  Record<string, Record<string, Route>>
>((table, r) => {
  table[r.path] = { ...table[r.path], [r.method]: HANDLERS[r.operationId] };
  return table;
}, {});

/** Dispatches a request to its route; unknown routes are 404, wrong methods 405. */
export async function route(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const methods = ROUTES[event.resource];
  if (!methods) throw new NotFoundError(`No route for ${event.httpMethod} ${quote(event.path)}.`);
  const handler = methods[event.httpMethod];
  if (!handler) throw new MethodNotAllowedError(event.httpMethod, event.resource, Object.keys(methods));
  return handler(event, deps);
}

/** The submit dependencies of one request: with the test-only fault point, when the stack turns it on. */
function submitDeps(event: APIGatewayProxyEvent, deps: ApiDeps): ApiDeps {
  const afterStep = crashBetweenSteps(deps.config.testOnlyCrashBetweenSteps, event);
  return afterStep ? { ...deps, afterStep } : deps;
}

function accepted(event: APIGatewayProxyEvent, job: JobRecord) {
  return { jobId: job.jobId, type: job.type, status: job.status, statusUrl: jobUrl(event, job.jobId) };
}

/** The Idempotency-Key header, held to the same rule as the body's `idempotencyKey` field. */
function idempotencyHeader(event: APIGatewayProxyEvent): string | undefined {
  const key = header(event, 'idempotency-key');
  if (key === undefined || key === '') return undefined;
  const checked = z.safeParse(idempotencyKey, key);
  if (!checked.success) {
    throw new ValidationError(
      'The Idempotency-Key header is invalid.',
      fieldProblems(checked.error, 'Idempotency-Key'),
    );
  }
  return key;
}

async function submitOne(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const body = readJsonBody(event, MAX_JOB_BODY_BYTES);
  const [result] = await submitAdmitted([body], submitDeps(event, deps), idempotencyHeader(event));
  if (!result) throw new Error('submitJobs returned no result');
  if (!result.ok) throw result.error;
  return json(202, accepted(event, result.job), result.replayed ? { 'idempotent-replayed': 'true' } : {});
}

async function submitBatch(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const body = readJsonBody(event, MAX_BATCH_BODY_BYTES);
  const parsed = z.safeParse(submitBatchRequest, body);
  if (!parsed.success) throw new ValidationError('The batch request is invalid.', fieldProblems(parsed.error));
  const results = await submitAdmitted(parsed.data.jobs, submitDeps(event, deps));
  const items = results.map((r: SubmitResult) => (r.ok ? accepted(event, r.job) : errorBody(r.error)));
  const acceptedCount = results.filter((r) => r.ok).length;
  return json(202, { accepted: acceptedCount, rejected: results.length - acceptedCount, results: items });
}

/** The job id of a `/jobs/{jobId}...` path; a 404 for one no job can have. */
function jobIdOf(event: APIGatewayProxyEvent): string {
  const jobId = event.pathParameters?.jobId;
  if (!jobId) throw new NotFoundError('No job id in the path.');
  // No job can have a longer id; asking DynamoDB would only fail on its key limit.
  if (jobId.length > MAX_JOB_ID_LENGTH) {
    throw new NotFoundError(`No job with this id: job ids are at most ${MAX_JOB_ID_LENGTH} characters.`, {
      length: jobId.length,
    });
  }
  return jobId;
}

/** `?consistent=true|false`; any other value is a client's mistake, named, not silently read as false. */
function consistentOf(event: APIGatewayProxyEvent): boolean {
  const value = event.queryStringParameters?.consistent;
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ValidationError('The query parameter consistent is "true" or "false".', [
    { path: 'consistent', message: 'Expected "true" or "false".' },
  ]);
}

/** The store's own failure is a 503 to retry; our errors (404, 409) pass through. */
function storeUnavailable(error: unknown): never {
  if (error instanceof QueueWorkersError) throw error;
  throw new ServiceUnavailableError('The job store did not answer; retry the request.', error);
}

async function getJob(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const jobId = jobIdOf(event);
  // Eventually consistent, at half the cost, unless the caller asks: a status a second old is the usual trade.
  // A miss is read again consistently, so a job polled right after its POST is never a 404.
  const consistent = consistentOf(event);
  const read = (strongly: boolean) => deps.store.get(jobId, { consistent: strongly }).catch(storeUnavailable);
  const record = (await read(consistent)) ?? (consistent ? undefined : await read(true));
  if (!record) throw new NotFoundError(`No job with id ${quote(jobId)}.`, { jobId });
  return json(200, await viewJob(record, deps));
}

async function cancel(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const result = await cancelJob(deps.store, jobIdOf(event)).catch(storeUnavailable);
  if (result.kind === 'cancelled') return json(200, toJobView(result.job));
  return json(202, {
    ...toJobView(result.job),
    message: 'The job is running: it was asked to stop through its signal, and ends cancelled if it does.',
  });
}

async function redriveDlq(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const name = event.pathParameters?.type ?? '';
  const type = deps.jobTypes.find((t) => t.name === name);
  if (!type) throw new NotFoundError(`No job type ${quote(name)}.`, { known: deps.jobTypes.map((t) => t.name) });
  const dlq = deps.config.deadLetterQueues?.[type.name];
  const queueUrl = deps.config.queueUrls[type.name];
  if (!dlq || !queueUrl || !deps.sqs) throw new NotFoundError('DLQ redrive is offered only by an API with IAM auth.');
  const body = event.body ? readJsonBody(event, MAX_JOB_BODY_BYTES) : {};
  const parsed = z.safeParse(redriveRequest, body);
  if (!parsed.success) throw new ValidationError('The redrive request is invalid.', fieldProblems(parsed.error));
  const result = await redrive(
    { sqs: deps.sqs, store: deps.store },
    { type: type.name, maxAttempts: type.queue.maxAttempts, dlqUrl: dlq.url, dlqArn: dlq.arn, queueUrl },
    {
      // The API has seconds, not minutes: it requeues the jobs it can read quickly; the worker takes the rest.
      peekBudgetMs: 3_000,
      maxRequeue: 1_000,
      ...(parsed.data.maxPerSecond ? { maxPerSecond: parsed.data.maxPerSecond } : {}),
    },
  ).catch((error: unknown) => {
    // SQS's or the store's own failure: the client may retry; a refusal or an emulator's gap keeps its status.
    if (error instanceof QueueWorkersError) throw error;
    throw new ServiceUnavailableError('SQS or the job store did not answer; retry the request.', error);
  });

  return json(202, { type: type.name, ...result });
}
