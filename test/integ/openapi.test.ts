import { randomUUID } from 'node:crypto';
import { createJobClient, type JobClient } from '@queue-workers/client';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/index.js';
import { startFixtureRuntime } from './helpers.js';

type Operation = { responses: Record<string, unknown> };
type Document = { openapi: string; servers?: { url: string }[]; paths: Record<string, Record<string, Operation>> };

let runtime: LocalRuntime;
let doc: Document;
/** The job API at the server the document names. */
let api: JobClient;

beforeAll(async () => {
  runtime = await startFixtureRuntime();
  doc = (await (await fetch(`${runtime.url}/openapi.json`)).json()) as Document;
  api = createJobClient({ url: doc.servers?.[0]?.url ?? runtime.url, auth: 'none' });
});

afterAll(async () => {
  await runtime?.stop();
});

/** A request that the operation accepts or answers with one of its documented errors. */
function requestFor(path: string, method: string): { path: string; body?: unknown } {
  const concrete = path.replace('{jobId}', randomUUID()).replace('{type}', 'simulate');
  const bodies: Record<string, unknown> = {
    '/jobs': { type: 'simulate', payload: {} },
    '/jobs/batch': { jobs: [{ type: 'simulate', payload: {} }] },
    '/dlq/{type}/redrive': {},
    '/uploads': { contentType: 'image/png', contentLength: 100 },
  };
  const body = method === 'get' ? undefined : bodies[path];
  return { path: concrete, ...(body !== undefined ? { body } : {}) };
}

describe('/openapi.json on the local runtime', () => {
  it('serves the OpenAPI 3.1 document with the runtime as its server', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers?.[0]?.url).toBe(`${runtime.url}/v1`);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/dlq/{type}/redrive',
      '/jobs',
      '/jobs/batch',
      '/jobs/{jobId}',
      '/jobs/{jobId}/cancel',
      '/uploads',
    ]);
  });

  it('declares no auth, since the local runtime checks none, and says so', () => {
    const served = doc as unknown as { security?: unknown; info: { description: string }; components: object };
    expect(served.security).toBeUndefined();
    expect(served.components).not.toHaveProperty('securitySchemes');
    expect(served.info.description).toMatch(/checks no authorization/);
  });

  it('serves a document that validates as OpenAPI 3.1, every $ref resolving', async () => {
    // Act: the validator dereferences, so it gets a copy.
    const result = await validate(structuredClone(doc) as unknown as Parameters<typeof validate>[0]);
    // Assess
    expect(result).toEqual({ valid: true, warnings: [], specification: 'OpenAPI' });
  });

  it('documents a request schema for every job type the runtime runs', () => {
    const schemas = Object.keys((doc as unknown as { components: { schemas: object } }).components.schemas);
    expect(schemas).toEqual(
      expect.arrayContaining(['Submit_simulate', 'Submit_webhook_deliver', 'Submit_image_thumbnail']),
    );
  });

  it('routes every documented path and method, answering a documented status', async () => {
    // Prepare
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, documented: Object.keys(op.responses) })),
    );
    // Act
    const answers = await Promise.all(
      operations.map(async (o) => {
        const { path, body: sent } = requestFor(o.path, o.method);
        const res = await api.request(o.method.toUpperCase(), path, sent === undefined ? {} : { body: sent });
        const body = res.body as { error?: { message?: string } };
        return {
          ...o,
          status: String(res.status),
          errorType: res.headers.get('x-amzn-errortype'),
          message: body.error?.message ?? '',
        };
      }),
    );
    // Assess: no route would be API Gateway's 403, or the API's own "No route" 404 behind {proxy+};
    // every answer is one the document lists.
    for (const a of answers) {
      expect(a.errorType, `${a.method} ${a.path}`).not.toBe('MissingAuthenticationTokenException');
      expect(a.message, `${a.method} ${a.path}`).not.toMatch(/^No route for/);
      expect(a.status, `${a.method} ${a.path}`).not.toBe('405');
      expect(a.documented, `${a.method} ${a.path} answered ${a.status}`).toContain(a.status);
    }
    expect(answers.length).toBe(6);
  });

  it('tells an undocumented path apart: the API answers that it has no route', async () => {
    const res = await api.request('DELETE', '/nothing/here');
    const body = res.body as { error: { message: string } };
    expect(res.status).toBe(404);
    expect(body.error.message).toMatch(/^No route for DELETE "\/nothing\/here"/);
  });
});
