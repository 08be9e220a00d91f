import type { JobType } from '../jobs/define.js';
import { DEFAULT_UPLOAD_MAX_BYTES } from '../shared/config.js';
import * as z from '../shared/zod.js';
import { type JsonSchema, componentRef as ref, SchemaComponents } from './openapi-components.js';
import {
  BATCH_ACCEPTED_EXAMPLE,
  IDEMPOTENCY_KEY_MISMATCH_EXAMPLE,
  JOB_ACCEPTED_EXAMPLE,
  JOB_REQUEST_EXAMPLES,
  REDRIVE_ACCEPTED_EXAMPLE,
  UPLOAD_CREATED_EXAMPLE,
  UPLOAD_NOT_FOUND_EXAMPLE,
  UPLOAD_REQUEST_EXAMPLE,
} from './openapi-examples.js';
import { cancelJobOperation, getJobOperation } from './openapi-job-operations.js';
import { bodyErrors, type Examples, error, jobLinks, jsonContent, retryAfter } from './openapi-parts.js';
import { API_ROUTES, type ApiRoute, type OperationId } from './route-table.js';
import { MAX_BATCH_BODY_BYTES, MAX_JOB_BODY_BYTES } from './routes.js';
import {
  batchAcceptedResponse,
  cancelAskedResponse,
  errorResponseBody,
  idempotencyKey,
  jobAcceptedResponse,
  jobViewResponse,
  MAX_BATCH_JOBS,
  optionNotTaken,
  redriveAcceptedResponse,
  redriveRequest,
  submitJobRequest,
  UPLOAD_CONTENT_TYPES,
  uploadCreatedResponse,
  uploadRequest,
} from './schemas.js';
import { MAX_UPLOAD_REQUEST_BYTES } from './uploads.js';

/** How the key of `POST /jobs` may come twice, and what is made of it: said by the header and the field alike. */
const KEY_IN_BOTH_PLACES =
  'When both are sent and equal, that key is used. When they differ, the request is a 400 (VALIDATION_ERROR, ' +
  '`details` naming `idempotencyKey`) and no job is submitted: two keys could name two jobs.';

/** The name of a job type's request schema in `components/schemas`. */
export const requestSchemaName = (type: Pick<JobType, 'name'>): string => `Submit_${type.name.replace(/\W/g, '_')}`;

/**
 * One request schema per job type: `type` fixed to the name, `payload` the
 * type's own schema. `payload` defaults to `{}`, so it is optional only for a
 * type whose schema accepts `{}`; for the others (`webhook.deliver` needs a
 * `url`) leaving it out is a 400, and the document says it is required.
 */
function typedRequest(type: JobType, components: SchemaComponents): JsonSchema {
  const name = requestSchemaName(type);
  const base = components.fromZod(submitJobRequest, name) as {
    properties: Record<string, JsonSchema>;
    required?: string[];
  };
  const properties: Record<string, JsonSchema> = {
    ...base.properties,
    type: { const: type.name, description: type.description },
    payload: components.fromZod(type.payload, `${name}_payload`),
    idempotencyKey: {
      ...base.properties.idempotencyKey,
      description:
        'Sending the same key again answers the job the first request created and queues nothing new; the same key ' +
        'with a different request is a 409. On `POST /jobs` the key may come as the `Idempotency-Key` header instead. ' +
        `${KEY_IN_BOTH_PLACES} \`POST /jobs/batch\` takes no header: each item carries its own key.`,
    },
    callbackUrl: {
      ...base.properties.callbackUrl,
      description:
        "Where to POST the job's outcome once it has succeeded or failed: `{ jobId, type, status, attempts, result | error, finishedAt }`, " +
        'signed with the Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature). https only; http to a ' +
        'loopback host only where the stack allows private networks (npm start).',
    },
  };
  // The document allows what the API admits (admission.ts): not the option the type's queue does not take.
  delete properties[optionNotTaken(type.queue.fifo)];
  const payloadRequired = !z.safeParse(type.payload, {}).success;
  const required = [...(base.required ?? []), ...(payloadRequired ? ['payload'] : [])];
  return { ...base, title: type.name, properties, required };
}

/** What the submit operations share: the request schema (one per job type) and an example per type. */
interface SubmitShapes {
  readonly submitJob: JsonSchema;
  readonly requestExamples: Examples;
  readonly anyExamples: boolean;
}

function submitShapes(jobTypes: readonly JobType[]): SubmitShapes {
  const requestExamples: Examples = Object.fromEntries(
    jobTypes.flatMap((t) => {
      const example = JOB_REQUEST_EXAMPLES[t.name];
      return example ? [[t.name, example]] : [];
    }),
  );
  const submitJob = {
    oneOf: jobTypes.map((t) => ref(requestSchemaName(t))),
    discriminator: {
      propertyName: 'type',
      // Without a mapping a discriminator value names a schema, and the schemas are named Submit_<type>.
      mapping: Object.fromEntries(jobTypes.map((t) => [t.name, ref(requestSchemaName(t)).$ref])),
    },
  };
  return { submitJob, requestExamples, anyExamples: Object.keys(requestExamples).length > 0 };
}

/** The operations of {@link API_ROUTES}, each as its OpenAPI operation object (without operationId). */
function operations(
  jobTypes: readonly JobType[],
  components: SchemaComponents,
  uploadMaxBytes: number,
): Record<OperationId, JsonSchema> {
  const shapes = submitShapes(jobTypes);
  return {
    submitJob: submitJobOperation(shapes, components),
    submitJobs: submitJobsOperation(shapes),
    getJob: getJobOperation(),
    cancelJob: cancelJobOperation(),
    redriveDeadLetters: redriveOperation(jobTypes, components),
    createUpload: createUploadOperation(components, uploadMaxBytes),
  };
}

function submitJobOperation(
  { submitJob, requestExamples, anyExamples }: SubmitShapes,
  components: SchemaComponents,
): JsonSchema {
  return {
    summary: 'Submit a job; answered at once with its id.',
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'The idempotencyKey field, sent as a header instead, under the same rule. ' +
          `${KEY_IN_BOTH_PLACES} An empty header is ignored, as if none were sent.`,
        // The empty string is allowed: it is ignored, as if no header were sent.
        schema: { anyOf: [components.fromZod(idempotencyKey, 'IdempotencyKey'), { type: 'string', maxLength: 0 }] },
      },
    ],
    requestBody: { required: true, ...jsonContent(submitJob, anyExamples ? requestExamples : undefined) },
    responses: {
      '202': {
        description:
          'The job is recorded and durably queued; or, for an idempotency key already used with the same request, the job it created.',
        headers: {
          'Idempotent-Replayed': {
            description: 'Sent, as `true`, when the answer is the job an earlier request with this key created.',
            schema: { type: 'string', const: 'true' },
          },
        },
        ...jsonContent(ref('JobAccepted'), { queued: JOB_ACCEPTED_EXAMPLE }),
        links: jobLinks('', 'this job'),
      },
      ...bodyErrors(
        MAX_JOB_BODY_BYTES,
        'The body is empty, not JSON or nested over 64 levels deep; or it is not a valid job: a schema violation ' +
          '(details name the fields), an unknown job type, a payload with a character SQS does not carry, an ' +
          'Idempotency-Key header that breaks the rule of the idempotencyKey field, or that differs from the ' +
          'idempotencyKey field sent with it.',
        { IDEMPOTENCY_KEY_MISMATCH: IDEMPOTENCY_KEY_MISMATCH_EXAMPLE },
      ),
      '409': error('The idempotency key was already used for a different request.'),
      '413': error(
        `The body is over ${MAX_JOB_BODY_BYTES} bytes. A larger proxy event than Lambda's 6 MB never reaches the function: API Gateway answers 413 itself. A payload over one SQS message (1 MiB) is accepted and travels by claim check.`,
      ),
      '422': error(
        'The payload names something that is not there: for image.thumbnail, an upload whose key is outside uploads/ or that no object has (UPLOAD_NOT_FOUND).',
        { UPLOAD_NOT_FOUND: UPLOAD_NOT_FOUND_EXAMPLE },
      ),
      '503': {
        ...error('The job could not be recorded or queued; retry with the same idempotency key.'),
        headers: retryAfter,
      },
    },
  };
}

function submitJobsOperation({ submitJob, requestExamples, anyExamples }: SubmitShapes): JsonSchema {
  return {
    summary: `Submit up to ${MAX_BATCH_JOBS} jobs; each is accepted or rejected on its own.`,
    description:
      'Answers 202 whenever the batch itself is well formed (a `jobs` array of 1 to ' +
      `${MAX_BATCH_JOBS} items), even when some or all of its items are invalid: by design, one bad item does not ` +
      'sink the others. Each item is checked like the body of `POST /jobs`, and `results` holds, in request order, ' +
      "either the item's `JobAccepted` or the `Error` that `POST /jobs` would have answered for it (a validation " +
      'error or an unknown type, an idempotency conflict, a message over the size limit, a store or queue that did ' +
      'not answer). `accepted` and `rejected` count them. The batch has no Idempotency-Key header: give each item ' +
      'its own `idempotencyKey`.',
    requestBody: {
      required: true,
      ...jsonContent(
        {
          type: 'object',
          properties: { jobs: { type: 'array', minItems: 1, maxItems: MAX_BATCH_JOBS, items: submitJob } },
          required: ['jobs'],
          additionalProperties: false,
        },
        anyExamples
          ? {
              everyType: {
                summary: 'One job of each type',
                value: { jobs: Object.values(requestExamples).map((e) => e.value) },
              },
            }
          : undefined,
      ),
    },
    responses: {
      '202': {
        description: 'One result per item, in request order: the accepted job, or why the item was rejected.',
        ...jsonContent(ref('BatchAccepted'), { mixed: BATCH_ACCEPTED_EXAMPLE }),
        // A pointer names one item; the first is the one a client that sent one job reads.
        links: jobLinks('/results/0', 'the first item (when it was accepted: a rejected item names no job)'),
      },
      ...bodyErrors(
        MAX_BATCH_BODY_BYTES,
        `The body is empty, not JSON or nested over 64 levels deep; or it is not a batch: no \`jobs\` array, an empty one, or one of over ${MAX_BATCH_JOBS} items.`,
      ),
    },
  };
}

function createUploadOperation(components: SchemaComponents, uploadMaxBytes: number): JsonSchema {
  // The stack's own limit, so a client (or a contract test) knows what a 400 will refuse.
  const request = components.fromZod(uploadRequest, 'UploadRequest') as { properties?: Record<string, JsonSchema> };
  if (request.properties?.contentLength) request.properties.contentLength.maximum = uploadMaxBytes;
  return {
    summary: 'Presign an upload: a POST form for one file, which the client sends straight to S3.',
    description:
      `Answers a presigned S3 POST for \`uploads/<uploadId>\` whose policy allows exactly the declared Content-Type (one of ${UPLOAD_CONTENT_TYPES.join(', ')}) ` +
      'and size, until `expiresAt` (15 minutes by default). The largest upload is set per stack, 25 MiB by default; a larger ' +
      '`contentLength` is a 400 that names the limit. Send every field of `fields`, then the file as the last field, `file`, ' +
      'as multipart/form-data to `url`: S3 answers 204. S3 refuses a file of another type or size, and an expired or altered ' +
      'form (403 or 400, in its XML). Then submit an `image.thumbnail` job with the `key`. Uploads no job used expire after a day.',
    requestBody: {
      required: true,
      ...jsonContent(request as JsonSchema, { jpeg: UPLOAD_REQUEST_EXAMPLE }),
    },
    responses: {
      '201': {
        description: 'The presigned POST.',
        ...jsonContent(ref('UploadCreated'), { presigned: UPLOAD_CREATED_EXAMPLE }),
      },
      ...bodyErrors(
        MAX_UPLOAD_REQUEST_BYTES,
        'The body is not JSON, or not a valid upload request: a content type not in the list, or a size that is not a positive integer or is over the limit (the message names it).',
      ),
    },
  };
}

function redriveOperation(jobTypes: readonly JobType[], components: SchemaComponents): JsonSchema {
  return {
    summary: "Send a job type's dead letters back to its queue (IAM auth only).",
    description:
      'Sets the jobs it can read back to `queued`, then starts an SQS StartMessageMoveTask. Deployed only when the API uses IAM auth.',
    parameters: [
      {
        name: 'type',
        in: 'path',
        required: true,
        description: 'A job type; any other value is a 404.',
        schema: { type: 'string', enum: jobTypes.map((t) => t.name) },
      },
    ],
    requestBody: { required: false, ...jsonContent(components.fromZod(redriveRequest, 'Redrive')) },
    responses: {
      '202': {
        description: 'The move task started.',
        ...jsonContent(ref('RedriveAccepted'), { started: REDRIVE_ACCEPTED_EXAMPLE }),
      },
      ...bodyErrors(
        MAX_JOB_BODY_BYTES,
        'A body was sent that is not JSON, is nested over 64 levels deep, or is not a valid redrive request (details name the fields). No body at all is fine.',
      ),
      '404': error('No such job type, or redrive is not offered (API not under IAM auth).'),
      '409': error('SQS refused the move, e.g. one is already running for this DLQ.'),
      '503': { ...error('SQS or the job store did not answer; retry the request.'), headers: retryAfter },
      '501': error('The SQS endpoint does not implement StartMessageMoveTask (an emulator).'),
    },
  };
}

/** Operators' routes answer only to IAM-signed requests: API-key callers never reach them. */
const securityOf = (route: ApiRoute, security: ServedSecurity) =>
  route.iamOnly && security === 'deployed' ? { security: [{ sigv4: [] }] } : {};

/** The document's `paths`: one entry per route of {@link API_ROUTES}. */
function paths(
  jobTypes: readonly JobType[],
  components: SchemaComponents,
  security: ServedSecurity,
  uploadMaxBytes: number,
): Record<string, Record<string, JsonSchema>> {
  const byOperation = operations(jobTypes, components, uploadMaxBytes);
  const out: Record<string, Record<string, JsonSchema>> = {};
  for (const route of API_ROUTES) {
    out[route.path] = {
      ...out[route.path],
      [route.method.toLowerCase()]: {
        operationId: route.operationId,
        ...byOperation[route.operationId],
        ...securityOf(route, security),
      },
    };
  }
  return out;
}

/**
 * The auth a document declares: `deployed`, what API Gateway checks (SigV4, or
 * an API key with `-c auth=apiKey`); `none`, for a server that checks nothing,
 * such as the local runtime, whose document must not promise a 401 it never gives.
 */
export type ServedSecurity = 'deployed' | 'none';

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /** The auth the server that serves the document checks. @default 'deployed' - SigV4 or an API key */
  readonly security?: ServedSecurity;
  /** The largest upload `POST /uploads` presigns, as the stack is configured. @default 25 MiB */
  readonly uploadMaxBytes?: number;
}

const DESCRIPTION =
  'Submit background jobs and read their status. Every error is `{ "error": { "code", "message", "details"? } }`.';

/** How the deployed API authenticates callers. */
const SECURITY_SCHEMES = {
  sigv4: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'AWS Signature Version 4 (service execute-api); the default auth.',
  },
  apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'When deployed with -c auth=apiKey.' },
};

/** Said in `info.description` of a document served by a server that checks no auth. */
const NO_AUTH_NOTE =
  'This server checks no authorization: it is the local runtime (`npm start`), where every request is let ' +
  'through. The deployed API requires SigV4-signed requests (service execute-api), or an `x-api-key` when ' +
  'deployed with `-c auth=apiKey`, and its document declares them.';

/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the same zod
 * schemas the API validates with, one request schema per registered job type.
 * Every `$ref` points into `components/schemas`: subschemas that zod extracts
 * (recursive ones, such as a JSON value) are components of their own.
 */
export function openApiDocument(
  jobTypes: readonly JobType[],
  serverUrl?: string,
  options: OpenApiOptions = {},
): JsonSchema {
  const security = options.security ?? 'deployed';
  const components = new SchemaComponents();
  for (const type of jobTypes) components.add(requestSchemaName(type), typedRequest(type, components));
  components.add('JobAccepted', components.fromZod(jobAcceptedResponse, 'JobAccepted'));
  components.add('BatchAccepted', components.fromZod(batchAcceptedResponse, 'BatchAccepted'));
  components.add('Job', components.fromZod(jobViewResponse, 'Job'));
  components.add('CancelAsked', components.fromZod(cancelAskedResponse, 'CancelAsked'));
  components.add('Error', components.fromZod(errorResponseBody, 'Error'));
  components.add('RedriveAccepted', components.fromZod(redriveAcceptedResponse, 'RedriveAccepted'));
  components.add('UploadCreated', components.fromZod(uploadCreatedResponse, 'UploadCreated'));
  const apiPaths = paths(jobTypes, components, security, options.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES);
  const deployed = security === 'deployed';
  return {
    openapi: '3.1.0',
    info: {
      title: 'queue-workers job API',
      version: '1',
      description: deployed ? DESCRIPTION : `${DESCRIPTION}\n\n${NO_AUTH_NOTE}`,
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    ...(deployed ? { security: [{ sigv4: [] }, { apiKey: [] }] } : {}),
    paths: apiPaths,
    components: {
      schemas: components.toObject(),
      ...(deployed ? { securitySchemes: SECURITY_SCHEMES } : {}),
    },
  };
}
