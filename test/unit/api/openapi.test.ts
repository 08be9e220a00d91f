import { HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { validate } from '@readme/openapi-parser';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it, vi } from 'vitest';
import type { $ZodType } from 'zod/v4/core';
import { errorResponse } from '../../../lambda/api/http.js';
import { openApiDocument, requestSchemaName } from '../../../lambda/api/openapi.js';
import {
  BATCH_ACCEPTED_EXAMPLE,
  IDEMPOTENCY_KEY_MISMATCH_EXAMPLE,
  JOB_ACCEPTED_EXAMPLE,
  JOB_REQUEST_EXAMPLES,
  JOB_VIEW_EXAMPLES,
  NOT_FOUND_EXAMPLE,
  REDRIVE_ACCEPTED_EXAMPLE,
  UPLOAD_CREATED_EXAMPLE,
  UPLOAD_NOT_FOUND_EXAMPLE,
  VALIDATION_ERROR_EXAMPLE,
} from '../../../lambda/api/openapi-examples.js';
import { API_ROUTES } from '../../../lambda/api/route-table.js';
import { ROUTES, route } from '../../../lambda/api/routes.js';
import {
  batchAcceptedResponse,
  cancelAskedResponse,
  errorResponseBody,
  jobAcceptedResponse,
  jobViewResponse,
  redriveAcceptedResponse,
  uploadCreatedResponse,
} from '../../../lambda/api/schemas.js';
import { jobTypes } from '../../../lambda/jobs/registry.js';
import * as z from '../../../lambda/shared/zod.js';
import { memoryApiDeps } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        responses: Record<
          string,
          {
            content: { 'application/json': { schema: { $ref: string } } };
            headers?: Record<string, { required?: boolean }>;
          }
        >;
      }
    >
  >;
  components: { schemas: Record<string, { properties: Record<string, unknown> }> };
};
const doc = openApiDocument(jobTypes) as unknown as Doc;

const schemas: Record<string, $ZodType> = {
  JobAccepted: jobAcceptedResponse,
  BatchAccepted: batchAcceptedResponse,
  Job: jobViewResponse,
  Error: errorResponseBody,
  RedriveAccepted: redriveAcceptedResponse,
  CancelAsked: cancelAskedResponse,
  UploadCreated: uploadCreatedResponse,
};

const sqs = mockClient(SQSClient);
// Every upload a job names exists, unless a scenario says otherwise.
const s3 = mockClient(S3Client);
const s3NotFound = () =>
  new S3ServiceException({
    name: 'NotFound',
    message: 'Not Found',
    $fault: 'client',
    $metadata: { httpStatusCode: 404 },
  });
const uploadsEvent = (body: unknown, headers?: Record<string, string>) =>
  apiEvent({ method: 'POST', resource: '/uploads', path: '/uploads', body, ...(headers ? { headers } : {}) });
const sqsError = (name: string, fault: 'client' | 'server') =>
  new SQSServiceException({ name, message: `${name} from SQS`, $fault: fault, $metadata: {} });
const redriveEvent = (type: string, body: unknown = { maxPerSecond: 10 }, headers?: Record<string, string>) =>
  apiEvent({
    method: 'POST',
    resource: '/dlq/{type}/redrive',
    path: `/dlq/${type}/redrive`,
    body,
    pathParameters: { type },
    ...(headers ? { headers } : {}),
  });

const submit = (body: unknown, headers?: Record<string, string>) =>
  apiEvent({ method: 'POST', resource: '/jobs', path: '/jobs', body, ...(headers ? { headers } : {}) });
const batch = (body: unknown, headers?: Record<string, string>) =>
  apiEvent({ method: 'POST', resource: '/jobs/batch', path: '/jobs/batch', body, ...(headers ? { headers } : {}) });
const get = (jobId: string) =>
  apiEvent({ method: 'GET', resource: '/jobs/{jobId}', path: `/jobs/${jobId}`, pathParameters: { jobId } });
const cancel = (jobId: string) =>
  apiEvent({
    method: 'POST',
    resource: '/jobs/{jobId}/cancel',
    path: `/jobs/${jobId}/cancel`,
    pathParameters: { jobId },
  });
const JOB = '00000000-0000-4000-8000-000000000000';
const stored = (status: 'queued' | 'running' | 'succeeded') => async (d: ReturnType<typeof memoryApiDeps>) => {
  await d.store.create({
    jobId: JOB,
    type: 'simulate',
    status,
    attempts: status === 'queued' ? 0 : 1,
    maxAttempts: 3,
    createdAt: 'a',
    updatedAt: 'b',
  });
};

/** A request that produces each documented response; `prepare` sets up the state it needs. */
const scenarios: Record<
  string,
  { event: APIGatewayProxyEvent; prepare?: (d: ReturnType<typeof memoryApiDeps>) => Promise<void> }
> = {
  'post /jobs 202': { event: submit({ type: 'simulate' }) },
  'post /jobs 400': { event: submit({ type: 'simulate', payload: { sleepMs: 'x' } }) },
  'post /jobs 409': {
    event: submit({ type: 'simulate', payload: { sleepMs: 2 }, idempotencyKey: 'k' }),
    prepare: async (d) => {
      await route(submit({ type: 'simulate', payload: { sleepMs: 1 }, idempotencyKey: 'k' }), d);
    },
  },
  'post /jobs 413': { event: submit({ type: 'simulate', payload: { x: 'y'.repeat(6_300_000) } }) },
  'post /jobs 422': {
    event: submit({ type: 'image.thumbnail', payload: { key: 'uploads/never-made' } }),
    prepare: async () => {
      s3.on(HeadObjectCommand).rejects(s3NotFound());
    },
  },
  'post /jobs 415': { event: submit('x', { 'Content-Type': 'text/plain' }) },
  'post /jobs 503': {
    event: submit({ type: 'simulate' }),
    prepare: async (d) => {
      d.queue.refuse = 'all';
    },
  },
  'post /jobs/batch 202': { event: batch({ jobs: [{ type: 'simulate' }, { type: 'nope' }] }) },
  'post /jobs/batch 400': { event: batch({ jobs: [] }) },
  'post /jobs/batch 413': { event: batch({ jobs: [{ type: 'simulate', payload: { x: 'y'.repeat(6_300_000) } }] }) },
  'post /jobs/batch 415': { event: batch('x', { 'Content-Type': 'text/plain' }) },
  'get /jobs/{jobId} 200': {
    event: get('00000000-0000-4000-8000-000000000000'),
    prepare: async (d) => {
      await d.store.create({
        jobId: '00000000-0000-4000-8000-000000000000',
        type: 'simulate',
        status: 'succeeded',
        attempts: 1,
        maxAttempts: 3,
        createdAt: 'a',
        updatedAt: 'b',
        result: { attempt: 1 },
      });
    },
  },
  'get /jobs/{jobId} 400': {
    event: apiEvent({
      method: 'GET',
      resource: '/jobs/{jobId}',
      path: '/jobs/abc',
      pathParameters: { jobId: 'abc' },
      query: { consistent: '1' },
    }),
  },
  'get /jobs/{jobId} 404': { event: get('missing') },
  'get /jobs/{jobId} 503': {
    event: get('00000000-0000-4000-8000-000000000000'),
    prepare: async (d) => {
      vi.spyOn(d.store, 'get').mockRejectedValue(new Error('DynamoDB did not answer'));
    },
  },
  'post /jobs/{jobId}/cancel 200': { event: cancel(JOB), prepare: stored('queued') },
  'post /jobs/{jobId}/cancel 202': { event: cancel(JOB), prepare: stored('running') },
  'post /jobs/{jobId}/cancel 404': { event: cancel('missing') },
  'post /jobs/{jobId}/cancel 409': { event: cancel(JOB), prepare: stored('succeeded') },
  'post /jobs/{jobId}/cancel 503': {
    event: cancel(JOB),
    prepare: async (d) => {
      vi.spyOn(d.store, 'get').mockRejectedValue(new Error('DynamoDB did not answer'));
    },
  },
  'post /dlq/{type}/redrive 202': {
    event: redriveEvent('simulate'),
    prepare: async () => {
      sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    },
  },
  'post /dlq/{type}/redrive 400': { event: redriveEvent('simulate', { maxPerSecond: 'fast' }) },
  'post /dlq/{type}/redrive 404': { event: redriveEvent('nope') },
  'post /dlq/{type}/redrive 413': { event: redriveEvent('simulate', { x: 'y'.repeat(6_300_000) }) },
  'post /uploads 201': { event: uploadsEvent({ contentType: 'image/png', contentLength: 1234 }) },
  'post /uploads 400': { event: uploadsEvent({ contentType: 'application/pdf', contentLength: 1234 }) },
  'post /uploads 413': { event: uploadsEvent({ contentType: 'image/png', contentLength: 1, pad: 'x'.repeat(5000) }) },
  'post /uploads 415': { event: uploadsEvent('x', { 'Content-Type': 'text/plain' }) },
  'post /dlq/{type}/redrive 415': { event: redriveEvent('simulate', 'x', { 'Content-Type': 'text/plain' }) },
  'post /dlq/{type}/redrive 503': {
    event: redriveEvent('simulate'),
    prepare: async () => {
      sqs.on(ReceiveMessageCommand).rejects(sqsError('InternalError', 'server'));
    },
  },
  'post /dlq/{type}/redrive 409': {
    event: redriveEvent('simulate'),
    prepare: async () => {
      sqs.on(StartMessageMoveTaskCommand).rejects(sqsError('UnsupportedOperation', 'client'));
    },
  },
  'post /dlq/{type}/redrive 501': {
    event: redriveEvent('simulate'),
    prepare: async () => {
      sqs.on(StartMessageMoveTaskCommand).rejects(sqsError('InvalidAction', 'client'));
    },
  },
};

const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).flatMap(([method, op]) =>
    Object.keys(op.responses).map((status) => ({ key: `${method} ${path} ${status}`, op, status })),
  ),
);

describe('OpenAPI document', () => {
  it('documents exactly the routes the stack deploys and the function serves', () => {
    const docRoutes = Object.entries(doc.paths).flatMap(([p, ms]) =>
      Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const deployed = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    const served = Object.entries(ROUTES).flatMap(([p, ms]) => Object.keys(ms).map((m) => `${m} ${p}`));
    expect(docRoutes.sort()).toEqual(deployed.sort());
    expect(served.sort()).toEqual(deployed.sort());
  });

  it('has a request schema per job type whose payload is that type’s schema', () => {
    for (const t of jobTypes) {
      const s = doc.components.schemas[`Submit_${t.name.replace(/\W/g, '_')}`];
      expect(s?.properties.type).toMatchObject({ const: t.name });
      // zod's own conversion, with the definitions it extracts living in the document's components.
      expect(s?.properties.payload).toEqual(
        relocated(
          (({ $schema: _s, ...rest }) => rest)(z.toJSONSchema(t.payload, { target: 'draft-2020-12', io: 'input' })),
          s?.properties.payload,
        ),
      );
    }
  });

  it('requires payload exactly for the job types whose payload schema refuses {}, as the API does', async () => {
    // Prepare
    const deps = memoryApiDeps();
    for (const t of jobTypes) {
      const schema = doc.components.schemas[requestSchemaName(t)] as unknown as { required: string[] };
      // Act
      const res = await call(submit({ type: t.name }), deps);
      // Assess: left out, the payload is {}; the document requires it where {} is a 400.
      expect(schema.required.includes('payload'), t.name).toBe(res.statusCode === 400);
    }
    expect(jobTypes.map((t) => t.name)).toEqual(expect.arrayContaining(['simulate', 'webhook.deliver']));
  });

  it('allows an empty Idempotency-Key header, which the API ignores', async () => {
    // Prepare
    const post = doc.paths['/jobs']?.post as unknown as { parameters: { name: string; schema: { anyOf: object[] } }[] };
    const header = post.parameters.find((p) => p.name === 'Idempotency-Key');
    // Act
    const res = await call(submit({ type: 'simulate' }, { 'Idempotency-Key': '' }), memoryApiDeps());
    // Assess
    expect(res.statusCode).toBe(202);
    expect(header?.schema.anyOf).toContainEqual({ type: 'string', maxLength: 0 });
  });

  it('documents the 400 for an Idempotency-Key header that differs from the idempotencyKey field, with the body the API gives', async () => {
    // Prepare
    const post = doc.paths['/jobs']?.post as unknown as Omit<LooseOperation, 'parameters'> & {
      parameters: { name: string; description: string }[];
    };
    const header = post.parameters.find((p) => p.name === 'Idempotency-Key');
    const field = doc.components.schemas.Submit_simulate?.properties.idempotencyKey as { description: string };
    // Act
    const res = await call(
      submit({ type: 'simulate', idempotencyKey: 'key-a' }, { 'Idempotency-Key': 'key-b' }),
      memoryApiDeps(),
    );
    // Assess
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual(IDEMPOTENCY_KEY_MISMATCH_EXAMPLE.value);
    expect(post.responses['400']?.content?.['application/json'].examples?.IDEMPOTENCY_KEY_MISMATCH).toEqual(
      IDEMPOTENCY_KEY_MISMATCH_EXAMPLE,
    );
    for (const description of [header?.description, field.description]) {
      expect(description).toMatch(
        /When both are sent and equal, that key is used\. When they differ, the request is a 400/,
      );
    }
  });

  it('accepts an Idempotency-Key header equal to the idempotencyKey field, as the document says', async () => {
    // Prepare
    const deps = memoryApiDeps();
    // Act
    const res = await call(submit({ type: 'simulate', idempotencyKey: 'key-a' }, { 'Idempotency-Key': 'key-a' }), deps);
    // Assess
    expect(res.statusCode).toBe(202);
    expect(deps.store.records.get(JSON.parse(res.body).jobId)?.idempotencyKey).toBe('key-a');
  });

  it('has a scenario for every documented response', () => {
    expect(documented.map((d) => d.key).sort()).toEqual(Object.keys(scenarios).sort());
  });

  it.each(documented.map((d) => [d.key, d] as const))(
    '%s: the API gives it, with a body of the documented shape',
    async (key, d) => {
      // Prepare
      sqs.reset();
      s3.reset();
      s3.on(HeadObjectCommand).resolves({ ContentLength: 1 });
      sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
      sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
      const deps = memoryApiDeps();
      const scenario = scenarios[key];
      if (!scenario) throw new Error(`no scenario for ${key}`);
      await scenario.prepare?.(deps);
      // Act
      let res: Awaited<ReturnType<typeof route>>;
      try {
        res = await route(scenario.event, deps);
      } catch (e) {
        res = errorResponse(e, 'r');
      }
      // Assess
      expect(String(res.statusCode)).toBe(d.status);
      for (const [name, spec] of Object.entries(d.op.responses[d.status]?.headers ?? {})) {
        if (spec.required) expect(Object.keys(res.headers ?? {})).toContain(name.toLowerCase());
      }
      const name = d.op.responses[d.status]?.content['application/json'].schema.$ref.split('/').pop() ?? '';
      const schema = schemas[name];
      if (!schema) throw new Error(`no zod schema for component ${name}`);
      const parsed = z.safeParse(schema, JSON.parse(res.body));
      expect(parsed.error?.issues ?? []).toEqual([]);
    },
  );
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * zod's conversion of a schema as the document must hold it: each entry of its
 * `$defs` moved to the component the document refers to at the same place,
 * which must hold exactly that entry.
 */
function relocated(converted: Record<string, unknown>, inDoc: unknown): unknown {
  const { $defs = {}, ...root } = converted as { $defs?: Record<string, unknown> };
  const names = new Map<string, string>();
  const pair = (ours: unknown, theirs: unknown): void => {
    if (Array.isArray(ours) && Array.isArray(theirs)) {
      for (const [i, item] of ours.entries()) pair(item, theirs[i]);
    }
    if (!isObject(ours) || !isObject(theirs)) return;
    if (typeof ours.$ref === 'string' && ours.$ref.startsWith('#/$defs/') && typeof theirs.$ref === 'string') {
      const id = ours.$ref.slice('#/$defs/'.length);
      const name = theirs.$ref.replace('#/components/schemas/', '');
      if (!names.has(id)) {
        names.set(id, name);
        pair($defs[id], doc.components.schemas[name]);
      }
      return;
    }
    for (const key of Object.keys(ours)) pair(ours[key], theirs[key]);
  };
  pair(root, inDoc);
  const rewrite = (node: unknown): unknown =>
    JSON.parse(
      JSON.stringify(node, (key, value) =>
        key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')
          ? `#/components/schemas/${names.get(value.slice('#/$defs/'.length)) ?? 'undefined'}`
          : value,
      ),
    );
  expect([...names.keys()].sort()).toEqual(Object.keys($defs).sort());
  for (const [id, name] of names) expect(doc.components.schemas[name]).toEqual(rewrite($defs[id]));
  return rewrite(root);
}

/** Every value under `key` anywhere in `node`. */
function valuesOf(node: unknown, key: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((item) => valuesOf(item, key));
  if (!isObject(node)) return [];
  return Object.entries(node).flatMap(([k, v]) => [...(k === key ? [v] : []), ...valuesOf(v, key)]);
}

/** The value at a JSON pointer (RFC 6901) in `document`; undefined when nothing is there. */
function atPointer(document: unknown, pointer: string): unknown {
  const tokens = pointer === '' ? [] : pointer.split('/').slice(1);
  return tokens
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => {
      if (Array.isArray(node)) return /^(0|[1-9]\d*)$/.test(token) ? node[Number(token)] : undefined;
      return isObject(node) ? node[token] : undefined;
    }, document);
}

/**
 * What a link's runtime expression picks from a response. Only
 * `$response.body#<JSON pointer>` is used by the document, the form that
 * Schemathesis and other link-following tools evaluate.
 */
function evaluate(expression: string, body: unknown): unknown {
  const match = /^\$response\.body#((?:\/(?:[^/~]|~[01])*)*)$/.exec(expression);
  if (!match) throw new Error(`not a $response.body#<pointer> runtime expression: ${expression}`);
  return atPointer(body, match[1] ?? '');
}

/** Runs a request through the router and the error mapping, as the handler does. */
async function call(event: APIGatewayProxyEvent, deps: ReturnType<typeof memoryApiDeps>) {
  try {
    return await route(event, deps);
  } catch (e) {
    return errorResponse(e, 'r');
  }
}

/** SQS as the redrive route needs it: an empty DLQ, and move tasks that start. */
function sqsForRedrive() {
  sqs.reset();
  sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
  sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
}

type Link = { operationId: string; parameters: Record<string, string>; description: string };
type LooseOperation = {
  operationId: string;
  description?: string;
  security?: unknown;
  parameters?: { name: string; in: string }[];
  requestBody?: { content: { 'application/json': { examples?: Record<string, { value: unknown }> } } };
  responses: Record<
    string,
    {
      links?: Record<string, Link>;
      content?: { 'application/json': { schema: { $ref?: string }; examples?: Record<string, { value: unknown }> } };
    }
  >;
};
const operationsById = Object.fromEntries(
  Object.values(doc.paths).flatMap((methods) =>
    Object.values(methods as unknown as Record<string, LooseOperation>).map((op) => [op.operationId, op]),
  ),
) as Record<string, LooseOperation>;
const links = documented.flatMap((d) =>
  Object.entries((d.op as unknown as LooseOperation).responses[d.status]?.links ?? {}).map(([name, link]) => ({
    source: d.key,
    name,
    link,
  })),
);

/*
 * The validator is @readme/openapi-parser (pinned): it checks a document against the OpenAPI Initiative's own
 * 3.1 JSON Schema, dereferences every $ref (an unresolvable one is an error, not a skip), and adds the rules no
 * schema can state (unique operationIds, path parameters declared and required). ReadMe keep it up in their OpenAPI
 * tooling (readmeio/oas); it supports Node 20 and up, and brings 17 small packages (about 9 MB).
 * Redocly's openapi-core checks as much, but as a linter whose rulesets are to be tuned, with more to install
 * (among its 13 direct dependencies, graphql and a fork of ajv).
 */
describe('the OpenAPI document as tools read it', () => {
  it('validates as OpenAPI 3.1 with no error or warning, every $ref resolving', async () => {
    // Prepare: the validator dereferences in place, so it gets a copy.
    const served = structuredClone(openApiDocument(jobTypes, 'https://api.example.com/prod'));
    // Act
    const result = await validate(served as unknown as Parameters<typeof validate>[0]);
    // Assess
    expect(result).toEqual({ valid: true, warnings: [], specification: 'OpenAPI' });
  });

  it('is refused by the validator when a $ref does not resolve, as the $defs of zod once did', async () => {
    // Prepare
    const broken = structuredClone(openApiDocument(jobTypes)) as { components: { schemas: Record<string, unknown> } };
    broken.components.schemas.Broken = { type: 'object', properties: { body: { $ref: '#/$defs/__schema0' } } };
    // Act
    const result = await validate(broken as unknown as Parameters<typeof validate>[0]);
    // Assess
    expect(result.valid).toBe(false);
    expect(JSON.stringify(result)).toContain('Missing $ref pointer \\"#/$defs/__schema0\\"');
  });

  it('has no $defs, and every $ref names a component schema that exists', () => {
    // Prepare
    const refs = valuesOf(doc, '$ref');
    // Act
    const dangling = refs.filter(
      (r) =>
        typeof r !== 'string' || !r.startsWith('#/components/schemas/') || atPointer(doc, r.slice(1)) === undefined,
    );
    // Assess
    expect(refs.length).toBeGreaterThan(0);
    expect(dangling).toEqual([]);
    expect(valuesOf(doc, '$defs')).toEqual([]);
    expect(refs).toContain('#/components/schemas/JsonValue');
  });

  it("maps each discriminator value to its job type's request schema", () => {
    // Prepare
    const [discriminator] = valuesOf(doc.paths['/jobs'], 'discriminator') as { mapping: Record<string, string> }[];
    // Act
    const mapping = discriminator?.mapping ?? {};
    // Assess
    expect(mapping).toEqual(
      Object.fromEntries(jobTypes.map((t) => [t.name, `#/components/schemas/${requestSchemaName(t)}`])),
    );
    for (const [name, target] of Object.entries(mapping)) {
      expect(atPointer(doc, target.slice(1)), name).toMatchObject({ properties: { type: { const: name } } });
    }
  });

  it('offers dead-letter redrive to IAM-signed callers only, as the stack deploys it', () => {
    expect(operationsById.redriveDeadLetters?.security).toEqual([{ sigv4: [] }]);
    expect(operationsById.submitJob?.security).toBeUndefined();
  });

  it('declares no auth for a server that checks none, says so, and still validates', async () => {
    // Prepare
    const local = openApiDocument(jobTypes, 'http://127.0.0.1:3000/v1', { security: 'none' }) as {
      info: { description: string };
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    // Act
    const result = await validate(structuredClone(local) as unknown as Parameters<typeof validate>[0]);
    // Assess
    expect(result).toEqual({ valid: true, warnings: [], specification: 'OpenAPI' });
    expect(valuesOf(local, 'security')).toEqual([]);
    expect(valuesOf(local, 'securitySchemes')).toEqual([]);
    expect(local.info.description).toMatch(/checks no authorization: it is the local runtime/);
    expect(local.info.description).toMatch(/deployed API requires SigV4-signed requests/);
    expect(doc).toMatchObject({ security: [{ sigv4: [] }, { apiKey: [] }] });
  });

  it('says that POST /jobs/batch answers 202 even when its items are invalid, as the router does', async () => {
    // Prepare
    const deps = memoryApiDeps();
    // Act
    const res = await call(batch({ jobs: [{ type: 'nope' }, { type: 'simulate', payload: { sleepMs: -1 } }] }), deps);
    // Assess
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ accepted: 0, rejected: 2 });
    expect(operationsById.submitJobs?.description).toMatch(
      /Answers 202 .* even when some or all of its items are invalid/,
    );
  });
});

describe('links of the OpenAPI document', () => {
  it('links each response that names a job to the operations that take its id and its type', () => {
    expect(links.map((l) => `${l.source} ${l.name} -> ${l.link.operationId}`).sort()).toEqual([
      'get /jobs/{jobId} 200 RedriveDeadLetters -> redriveDeadLetters',
      'post /jobs 202 CancelJob -> cancelJob',
      'post /jobs 202 GetJob -> getJob',
      'post /jobs 202 RedriveDeadLetters -> redriveDeadLetters',
      'post /jobs/batch 202 CancelJob -> cancelJob',
      'post /jobs/batch 202 GetJob -> getJob',
      'post /jobs/batch 202 RedriveDeadLetters -> redriveDeadLetters',
      'post /jobs/{jobId}/cancel 200 GetJob -> getJob',
      'post /jobs/{jobId}/cancel 202 GetJob -> getJob',
    ]);
  });

  it.each(links.map((l) => [`${l.source} ${l.name}`, l] as const))(
    '%s: followed on a real response, reaches its operation, which answers success',
    async (_, { source, link }) => {
      // Prepare: the source response, from the router.
      sqsForRedrive();
      const deps = memoryApiDeps();
      const scenario = scenarios[source];
      if (!scenario) throw new Error(`no scenario for ${source}`);
      await scenario.prepare?.(deps);
      const response = JSON.parse((await call(scenario.event, deps)).body) as unknown;
      const target = API_ROUTES.find((r) => r.operationId === link.operationId);
      if (!target) throw new Error(`link to unknown operation ${link.operationId}`);
      const pathParameters: Record<string, string> = {};
      for (const [parameter, expression] of Object.entries(link.parameters)) {
        const [where, name = ''] = parameter.split('.');
        expect(where).toBe('path');
        expect(operationsById[link.operationId]?.parameters).toContainEqual(
          expect.objectContaining({ name, in: 'path' }),
        );
        const value = evaluate(expression, response);
        expect(typeof value, `${expression} in ${JSON.stringify(response)}`).toBe('string');
        pathParameters[name] = value as string;
      }
      const path = target.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        encodeURIComponent(pathParameters[name] ?? ''),
      );
      // Act
      const res = await call(apiEvent({ method: target.method, resource: target.path, path, pathParameters }), deps);
      // Assess
      const success = Object.keys(operationsById[link.operationId]?.responses ?? {}).find((s) => s.startsWith('2'));
      expect(String(res.statusCode), res.body).toBe(success);
    },
  );

  it('reaches no job from a batch whose first item was rejected, as the link says', () => {
    // Prepare
    const firstRejected = { accepted: 1, rejected: 1, results: [...BATCH_ACCEPTED_EXAMPLE.value.results].reverse() };
    const link = links.find((l) => l.source === 'post /jobs/batch 202' && l.name === 'GetJob')?.link;
    // Act
    const jobId = evaluate(link?.parameters['path.jobId'] ?? '', firstRejected);
    // Assess
    expect(jobId).toBeUndefined();
    expect(link?.description).toMatch(/the first item \(when it was accepted: a rejected item names no job\)/);
  });
});

describe('examples of the OpenAPI document', () => {
  it('has a request example for every registered job type', () => {
    // A new job type needs its example in lambda/api/openapi-examples.ts.
    expect(Object.keys(JOB_REQUEST_EXAMPLES).sort()).toEqual(jobTypes.map((t) => t.name).sort());
    expect(operationsById.submitJob?.requestBody?.content['application/json'].examples).toEqual(JOB_REQUEST_EXAMPLES);
  });

  it.each(Object.entries(JOB_REQUEST_EXAMPLES))('the API accepts the %s example with 202', async (name, example) => {
    // Prepare: the upload the image example names exists.
    s3.reset();
    s3.on(HeadObjectCommand).resolves({ ContentLength: 1 });
    const deps = memoryApiDeps();
    // Act
    const res = await call(submit(example.value), deps);
    // Assess
    expect(res.statusCode, res.body).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ type: name, status: 'queued' });
    expect(example.value.type).toBe(name);
  });

  it('the API accepts every item of the batch example', async () => {
    // Prepare
    s3.reset();
    s3.on(HeadObjectCommand).resolves({ ContentLength: 1 });
    const deps = memoryApiDeps();
    const example = operationsById.submitJobs?.requestBody?.content['application/json'].examples?.everyType?.value;
    // Act
    const res = await call(batch(example), deps);
    // Assess
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ accepted: jobTypes.length, rejected: 0 });
  });

  it('sends only to this machine when a tool submits the examples', () => {
    const urls = valuesOf(JOB_REQUEST_EXAMPLES, 'url') as string[];
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(new URL(url).hostname).toBe('127.0.0.1');
  });

  it('marks a replayed submit with the Idempotent-Replayed header it documents', async () => {
    // Prepare
    const deps = memoryApiDeps();
    const example = JOB_REQUEST_EXAMPLES.simulate?.value;
    await call(submit(example), deps);
    // Act
    const again = await call(submit(example), deps);
    // Assess
    expect(again.headers?.['idempotent-replayed']).toBe('true');
    expect(doc.paths['/jobs']?.post?.responses['202']?.headers).toHaveProperty('Idempotent-Replayed');
  });

  it('documents the main responses with examples of their own schema', () => {
    // Prepare
    const examples = documented.flatMap((d) => {
      const content = (d.op as unknown as LooseOperation).responses[d.status]?.content?.['application/json'];
      const name = content?.schema.$ref?.split('/').pop() ?? '';
      return Object.entries(content?.examples ?? {}).map(([label, e]) => ({ key: `${d.key} ${label}`, name, e }));
    });
    // Act
    const problems = examples.flatMap(({ key, name, e }) => {
      const schema = schemas[name];
      if (!schema) return [`${key}: no zod schema for ${name}`];
      const parsed = z.safeParse(schema, e.value);
      return parsed.success ? [] : [`${key}: ${JSON.stringify(parsed.error.issues)}`];
    });
    // Assess
    expect(problems).toEqual([]);
    expect(examples.map((x) => x.e.value)).toEqual(
      expect.arrayContaining([
        JOB_ACCEPTED_EXAMPLE.value,
        BATCH_ACCEPTED_EXAMPLE.value,
        ...Object.values(JOB_VIEW_EXAMPLES).map((e) => e.value),
        REDRIVE_ACCEPTED_EXAMPLE.value,
        VALIDATION_ERROR_EXAMPLE.value,
        NOT_FOUND_EXAMPLE.value,
        UPLOAD_CREATED_EXAMPLE.value,
        UPLOAD_NOT_FOUND_EXAMPLE.value,
      ]),
    );
  });
});
