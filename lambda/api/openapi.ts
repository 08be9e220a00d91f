import type { $ZodType } from 'zod/v4/core';
import type { JobType } from '../jobs/define.js';
import * as z from '../shared/zod.js';
import { API_ROUTES, type OperationId } from './route-table.js';
import { MAX_BATCH_BODY_BYTES, MAX_JOB_BODY_BYTES } from './routes.js';
import {
  batchAcceptedResponse,
  errorResponseBody,
  jobAcceptedResponse,
  jobViewResponse,
  MAX_BATCH_JOBS,
  redriveAcceptedResponse,
  redriveRequest,
  submitJobRequest,
} from './schemas.js';

type JsonSchema = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema, as a client sends it. */
function schemaOf(schema: $ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  return rest;
}

/** One request schema per job type: `type` fixed to the name, `payload` the type's own schema. */
function typedRequest(type: JobType): JsonSchema {
  const base = schemaOf(submitJobRequest) as { properties: Record<string, JsonSchema>; required?: string[] };
  const properties: Record<string, JsonSchema> = {
    ...base.properties,
    type: { const: type.name, description: type.description },
    payload: schemaOf(type.payload),
  };
  if (!type.queue.fifo) delete properties.groupId;
  else delete properties.delaySeconds;
  return { ...base, title: type.name, properties };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonContent = (schema: JsonSchema) => ({ content: { 'application/json': { schema } } });
const error = (description: string) => ({ description, ...jsonContent(ref('Error')) });

/** The error responses every body-taking route can give, with what causes them. */
const bodyErrors = (limit: number) => ({
  '400': error('Malformed JSON, a schema violation (details name the fields) or an unknown job type.'),
  '413': error(`The body is over ${limit} bytes.`),
  '415': error('The body is not sent as application/json.'),
});

/** The operations of {@link API_ROUTES}, each as its OpenAPI operation object (without operationId). */
function operations(submitJob: JsonSchema): Record<OperationId, JsonSchema> {
  return {
    submitJob: {
      summary: 'Submit a job; answered at once with its id.',
      parameters: [
        {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Same as the idempotencyKey field.',
          schema: { type: 'string', maxLength: 255 },
        },
      ],
      requestBody: { required: true, ...jsonContent(submitJob) },
      responses: {
        '202': { description: 'The job is recorded and durably queued.', ...jsonContent(ref('JobAccepted')) },
        ...bodyErrors(MAX_JOB_BODY_BYTES),
        '409': error('The idempotency key was already used for a different request.'),
        '503': error('The job could not be recorded or queued; retry with the same idempotency key.'),
      },
    },
    submitJobs: {
      summary: `Submit up to ${MAX_BATCH_JOBS} jobs; each is accepted or rejected on its own.`,
      requestBody: {
        required: true,
        ...jsonContent({
          type: 'object',
          properties: { jobs: { type: 'array', minItems: 1, maxItems: MAX_BATCH_JOBS, items: submitJob } },
          required: ['jobs'],
          additionalProperties: false,
        }),
      },
      responses: {
        '202': { description: 'One result per job, in order.', ...jsonContent(ref('BatchAccepted')) },
        ...bodyErrors(MAX_BATCH_BODY_BYTES),
      },
    },
    getJob: {
      summary: "A job's status, attempts, result or error.",
      parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        '200': { description: 'The job.', ...jsonContent(ref('Job')) },
        '404': error('No job has this id (or it expired after its retention).'),
      },
    },
    redriveDeadLetters: {
      summary: "Send a job type's dead letters back to its queue (IAM auth only).",
      description:
        'Sets the jobs it can read back to `queued`, then starts an SQS StartMessageMoveTask. Deployed only when the API uses IAM auth.',
      parameters: [{ name: 'type', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: { required: false, ...jsonContent(schemaOf(redriveRequest)) },
      responses: {
        '202': { description: 'The move task started.', ...jsonContent(ref('RedriveAccepted')) },
        '404': error('No such job type, or redrive is not offered (API not under IAM auth).'),
        '409': error('SQS refused the move, e.g. one is already running for this DLQ.'),
        '501': error('The SQS endpoint does not implement StartMessageMoveTask (an emulator).'),
      },
    },
  };
}

/** The document's `paths`: one entry per route of {@link API_ROUTES}. */
function paths(submitJob: JsonSchema): Record<string, Record<string, JsonSchema>> {
  const byOperation = operations(submitJob);
  const out: Record<string, Record<string, JsonSchema>> = {};
  for (const route of API_ROUTES) {
    out[route.path] = {
      ...out[route.path],
      [route.method.toLowerCase()]: { operationId: route.operationId, ...byOperation[route.operationId] },
    };
  }
  return out;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod
 * schemas the API validates with, one request schema per registered job type.
 */
export function openApiDocument(jobTypes: readonly JobType[], serverUrl?: string): JsonSchema {
  const requestSchemas = Object.fromEntries(
    jobTypes.map((t) => [`Submit_${t.name.replace(/\W/g, '_')}`, typedRequest(t)]),
  );
  const submitJob = { oneOf: Object.keys(requestSchemas).map(ref), discriminator: { propertyName: 'type' } };
  return {
    openapi: '3.1.0',
    info: {
      title: 'queue-workers job API',
      version: '1',
      description:
        'Submit background jobs and read their status. Every error is `{ "error": { "code", "message", "details"? } }`.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ sigv4: [] }, { apiKey: [] }],
    paths: paths(submitJob),
    components: {
      schemas: {
        ...requestSchemas,
        JobAccepted: schemaOf(jobAcceptedResponse),
        BatchAccepted: schemaOf(batchAcceptedResponse),
        Job: schemaOf(jobViewResponse),
        Error: schemaOf(errorResponseBody),
        RedriveAccepted: schemaOf(redriveAcceptedResponse),
      },
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'AWS Signature Version 4 (service execute-api); the default auth.',
        },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'When deployed with -c auth=apiKey.' },
      },
    },
  };
}
