import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobClient } from '../src/index.js';
import { type FakeApi, jsonBody, startFakeApi, view } from './support/api-server.js';

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi();
});

afterAll(() => api.close());

beforeEach(() => {
  api.received.length = 0;
});

const accepted = { jobId: 'j1', type: 'webhook.deliver', status: 'queued', statusUrl: 'https://api/v1/jobs/j1' };

describe('createJobClient', () => {
  it("submits to POST {url}/jobs under the stage path, and resolves with the API's 202 body", async () => {
    // Prepare
    api.answer(() => ({ status: 202, body: accepted }));
    const client = createJobClient({ url: `${api.url}/v1/`, auth: 'none' });

    // Act
    const res = await client.submit(
      'webhook.deliver',
      { url: 'https://example.com/hook', body: { upload: 123 } },
      { idempotencyKey: 'upload-123', delaySeconds: 30 },
    );

    // Assess
    expect(res).toEqual(accepted);
    expect(client.url).toBe(`${api.url}/v1`);
    expect(api.received[0]).toMatchObject({ method: 'POST', url: '/v1/jobs' });
    expect(jsonBody(api, 0)).toEqual({
      type: 'webhook.deliver',
      payload: { url: 'https://example.com/hook', body: { upload: 123 } },
      idempotencyKey: 'upload-123',
      delaySeconds: 30,
    });
  });

  it('reads a job by its encoded id, with or without its type', async () => {
    // Prepare
    api.answer(() => ({ status: 200, body: view({ jobId: 'a/b c' }) }));
    const client = createJobClient({ url: api.url, auth: 'none' });

    // Act
    const untyped = await client.get('a/b c');
    const typed = await client.get('simulate', 'a/b c');

    // Assess
    expect(untyped).toEqual(typed);
    expect(api.received.map((r) => r.url)).toEqual(['/jobs/a%2Fb%20c', '/jobs/a%2Fb%20c']);
  });

  it('redrives with POST /dlq/{type}/redrive and the rate when given one', async () => {
    // Prepare
    const body = { type: 'webhook.deliver', method: 'StartMessageMoveTask', taskHandle: 't', requeued: 2 };
    api.answer(() => ({ status: 202, body }));
    const client = createJobClient({ url: api.url, auth: 'none' });

    // Act
    const res = await client.redrive('webhook.deliver', { maxPerSecond: 10 });

    // Assess
    expect(res).toEqual(body);
    expect(api.received[0]).toMatchObject({ method: 'POST', url: '/dlq/webhook.deliver/redrive' });
    expect(jsonBody(api, 0)).toEqual({ maxPerSecond: 10 });
  });

  it('hands back any response of a raw request, whatever its status, with its headers and request id', async () => {
    // Prepare
    api.answer(() => ({
      status: 405,
      body: { error: { code: 'METHOD_NOT_ALLOWED', message: 'no' } },
      headers: { allow: 'POST', 'x-amzn-RequestId': 'r-9' },
    }));
    const client = createJobClient({ url: api.url, auth: 'none' });

    // Act
    const res = await client.request('GET', '/jobs/batch?x=1', { headers: { 'idempotency-key': 'k' } });

    // Assess
    expect(res.status).toBe(405);
    expect(res.body).toEqual({ error: { code: 'METHOD_NOT_ALLOWED', message: 'no' } });
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.requestId).toBe('r-9');
    expect(api.received[0]).toMatchObject({ url: '/jobs/batch?x=1', headers: { 'idempotency-key': 'k' } });
  });

  it('uses the fetch it is given', async () => {
    // Prepare
    const calls: string[] = [];
    const client = createJobClient({
      url: 'https://api.example.test/v1',
      auth: 'none',
      fetch: async (input, init) => {
        calls.push(`${init.method} ${input}`);
        return Response.json(view(), { status: 200 });
      },
    });

    // Act
    await client.get('job-1');

    // Assess
    expect(calls).toEqual(['GET https://api.example.test/v1/jobs/job-1']);
  });

  it.each([
    { name: 'a timeout signal by default', options: {}, signal: true },
    { name: 'no signal with timeoutMs: 0', options: { timeoutMs: 0 }, signal: false },
    {
      name: "the caller's signal with timeoutMs: 0",
      options: { timeoutMs: 0 },
      call: { signal: new AbortController().signal },
      signal: true,
    },
  ])('gives fetch $name', async ({ options, call, signal }) => {
    // Prepare
    const signals: (AbortSignal | null | undefined)[] = [];
    const client = createJobClient({
      url: 'https://api.example.test',
      auth: 'none',
      ...options,
      fetch: async (_input, init) => {
        signals.push(init.signal);
        return Response.json(view(), { status: 200 });
      },
    });

    // Act
    await client.get('job-1', call);

    // Assess
    expect(signals[0] instanceof AbortSignal).toBe(signal);
  });

  it('refuses a URL that is not absolute, at once', () => {
    // Act & Assess
    expect(() => createJobClient({ url: '/v1', auth: 'none' })).toThrow(TypeError);
  });
});
