import {
  ChangeMessageVisibilityBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { $ZodType } from 'zod/v4/core';
import { errorResponse } from '../../../lambda/api/http.js';
import { openApiDocument } from '../../../lambda/api/openapi.js';
import { API_ROUTES } from '../../../lambda/api/route-table.js';
import { ROUTES, route } from '../../../lambda/api/routes.js';
import {
  batchAcceptedResponse,
  errorResponseBody,
  jobAcceptedResponse,
  jobViewResponse,
  redriveAcceptedResponse,
} from '../../../lambda/api/schemas.js';
import { jobTypes } from '../../../lambda/jobs/registry.js';
import * as z from '../../../lambda/shared/zod.js';
import { memoryApiDeps } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content: { 'application/json': { schema: { $ref: string } } } }> }>
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
};

const sqs = mockClient(SQSClient);
const sqsError = (name: string, fault: 'client' | 'server') =>
  new SQSServiceException({ name, message: `${name} from SQS`, $fault: fault, $metadata: {} });
const redriveEvent = (type: string) =>
  apiEvent({
    method: 'POST',
    resource: '/dlq/{type}/redrive',
    path: `/dlq/${type}/redrive`,
    body: { maxPerSecond: 10 },
    pathParameters: { type },
  });

const submit = (body: unknown, headers?: Record<string, string>) =>
  apiEvent({ method: 'POST', resource: '/jobs', path: '/jobs', body, ...(headers ? { headers } : {}) });
const batch = (body: unknown, headers?: Record<string, string>) =>
  apiEvent({ method: 'POST', resource: '/jobs/batch', path: '/jobs/batch', body, ...(headers ? { headers } : {}) });
const get = (jobId: string) =>
  apiEvent({ method: 'GET', resource: '/jobs/{jobId}', path: `/jobs/${jobId}`, pathParameters: { jobId } });

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
  'post /jobs 413': { event: submit({ type: 'simulate', payload: { x: 'y'.repeat(300_000) } }) },
  'post /jobs 415': { event: submit('x', { 'Content-Type': 'text/plain' }) },
  'post /jobs 503': {
    event: submit({ type: 'simulate' }),
    prepare: async (d) => {
      d.queue.refuse = 'all';
    },
  },
  'post /jobs/batch 202': { event: batch({ jobs: [{ type: 'simulate' }, { type: 'nope' }] }) },
  'post /jobs/batch 400': { event: batch({ jobs: [] }) },
  'post /jobs/batch 413': { event: batch({ jobs: [{ type: 'simulate', payload: { x: 'y'.repeat(1_100_000) } }] }) },
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
  'get /jobs/{jobId} 404': { event: get('missing') },
  'post /dlq/{type}/redrive 202': {
    event: redriveEvent('simulate'),
    prepare: async () => {
      sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    },
  },
  'post /dlq/{type}/redrive 404': { event: redriveEvent('nope') },
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
      expect(s?.properties.payload).toEqual(
        (({ $schema: _s, ...rest }) => rest)(z.toJSONSchema(t.payload, { target: 'draft-2020-12', io: 'input' })),
      );
    }
  });

  it('has a scenario for every documented response', () => {
    expect(documented.map((d) => d.key).sort()).toEqual(Object.keys(scenarios).sort());
  });

  it.each(documented.map((d) => [d.key, d] as const))(
    '%s: the API gives it, with a body of the documented shape',
    async (key, d) => {
      // Prepare
      sqs.reset();
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
      const name = d.op.responses[d.status]?.content['application/json'].schema.$ref.split('/').pop() ?? '';
      const schema = schemas[name];
      if (!schema) throw new Error(`no zod schema for component ${name}`);
      const parsed = z.safeParse(schema, JSON.parse(res.body));
      expect(parsed.error?.issues ?? []).toEqual([]);
    },
  );
});
