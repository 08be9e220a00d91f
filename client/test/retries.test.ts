import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobClient, JobApiError } from '../src/index.js';
import { DEFAULT_RETRY, retryAfterMs, retryDelayMs } from '../src/retry.js';
import { type FakeApi, jsonBody, startFakeApi, view } from './support/api-server.js';

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi();
});

afterAll(() => api.close());

beforeEach(() => {
  api.received.length = 0;
});

const ACCEPTED = { status: 202, body: { jobId: 'j1', type: 'simulate', status: 'queued', statusUrl: 'u' } };

/** A client that retries quickly, so the tests do not wait for real backoff. */
const quickClient = (retries = 3) =>
  createJobClient({ url: api.url, auth: 'none', retry: { retries, baseDelayMs: 1, maxDelayMs: 5 } });

describe('retries', () => {
  it.each([
    { name: '503', first: { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'x' } } } as const },
    { name: '429', first: { status: 429, body: { error: { code: 'THROTTLED', message: 'x' } } } as const },
    { name: '502', first: { status: 502, body: 'Bad Gateway' } as const },
    { name: 'a dropped connection', first: 'drop' as const },
  ])('retries a submission after $name with the same idempotency key, so the job is queued once', async ({ first }) => {
    // Prepare
    api.answer((_r, i) => (i === 0 ? first : ACCEPTED));

    // Act
    const accepted = await quickClient().submit('simulate', { sleepMs: 1 });

    // Assess
    expect(accepted.jobId).toBe('j1');
    expect(api.received).toHaveLength(2);
    const [a, b] = [jsonBody(api, 0), jsonBody(api, 1)];
    expect(a.idempotencyKey).toEqual(expect.any(String));
    expect(b).toEqual(a);
  });

  it('makes up a fresh key for each submission that has none, and keeps a given one', async () => {
    // Prepare
    api.answer(() => ACCEPTED);
    const client = quickClient();

    // Act
    await client.submit('simulate', {});
    await client.submit('simulate', {});
    await client.submit('simulate', {}, { idempotencyKey: 'upload-123' });

    // Assess
    const keys = [0, 1, 2].map((i) => jsonBody(api, i).idempotencyKey);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe('upload-123');
  });

  it('retries a read (GET is safe to repeat)', async () => {
    // Prepare
    api.answer((_r, i) => (i < 2 ? { status: 500, body: {} } : { status: 200, body: view() }));

    // Act
    const job = await quickClient().get('job-1');

    // Assess
    expect(job.jobId).toBe('job-1');
    expect(api.received.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it.each([
    {
      name: 'a redrive (POST without a key)',
      call: (c: ReturnType<typeof quickClient>) => c.redrive('simulate'),
    },
    {
      name: 'a raw POST',
      call: (c: ReturnType<typeof quickClient>) => c.request('POST', '/jobs', { body: { type: 'simulate' } }),
    },
  ])('sends $name once, whatever the answer', async ({ call }) => {
    // Prepare
    api.answer(() => ({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'x' } } }));

    // Act
    await call(quickClient()).catch(() => undefined);

    // Assess
    expect(api.received).toHaveLength(1);
  });

  it('does not retry a raw POST after a dropped connection either', async () => {
    // Prepare
    api.answer(() => 'drop');

    // Act
    const error = await quickClient()
      .request('POST', '/jobs', { body: {} })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
    expect(api.received).toHaveLength(1);
  });

  it.each([400, 404, 409, 413, 501])('does not retry a %i, which the same request would get again', async (status) => {
    // Prepare
    api.answer(() => ({ status, body: { error: { code: 'X', message: 'no' } } }));

    // Act
    const error = await quickClient()
      .submit('simulate', {})
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ status, retryable: false });
    expect(api.received).toHaveLength(1);
  });

  it('gives up after the configured retries, with the last answer as the error', async () => {
    // Prepare
    api.answer(() => ({
      status: 503,
      body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'DynamoDB did not answer' } },
    }));

    // Act
    const error = await quickClient(2)
      .submit('simulate', {})
      .catch((e: unknown) => e);

    // Assess
    expect(api.received).toHaveLength(3);
    expect(error).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503, retryable: true });
  });

  it('sends each request once with retry: false', async () => {
    // Prepare
    api.answer(() => ({ status: 503, body: {} }));
    const client = createJobClient({ url: api.url, auth: 'none', retry: false });

    // Act
    await client.get('job-1').catch(() => undefined);

    // Assess
    expect(api.received).toHaveLength(1);
  });

  it('counts an attempt without an answer in time as failed, and retries it', async () => {
    // Prepare: the first answer comes too late; the second at once (with room for a busy machine).
    api.answer(async (_r, i) => {
      if (i === 0) await new Promise((resolve) => setTimeout(resolve, 3000));
      return { status: 200, body: view() };
    });
    const client = createJobClient({ url: api.url, auth: 'none', timeoutMs: 500, retry: { baseDelayMs: 1 } });

    // Act
    const job = await client.get('job-1');

    // Assess
    expect(job.status).toBe('queued');
    expect(api.received).toHaveLength(2);
  });

  it('stops retrying at once when the signal aborts, rejecting with its reason', async () => {
    // Prepare: Retry-After holds the client in its backoff for the whole cap, 5 s, whatever the jitter draws.
    api.answer(() => ({ status: 503, body: {}, headers: { 'retry-after': '60' } }));
    const controller = new AbortController();
    const client = createJobClient({ url: api.url, auth: 'none', retry: { retries: 5 } });

    // Act
    const pending = client.get('job-1', { signal: controller.signal }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort(new Error('user gave up'));
    const error = await pending;

    // Assess
    expect(error).toEqual(new Error('user gave up'));
    expect(error).not.toBeInstanceOf(JobApiError);
    expect(api.received).toHaveLength(1);
  });
});

describe('retryDelayMs', () => {
  it('grows exponentially with full jitter, capped', () => {
    // Act
    const highest = [0, 1, 2, 3, 10].map((attempt) => retryDelayMs(DEFAULT_RETRY, attempt, () => 0.999_999));
    const lowest = retryDelayMs(DEFAULT_RETRY, 3, () => 0);

    // Assess
    expect(highest).toEqual([99, 199, 399, 799, 4999]);
    expect(lowest).toBe(0);
  });

  it("waits at least the server's Retry-After, within the cap", () => {
    // Act & Assess
    expect(retryDelayMs(DEFAULT_RETRY, 0, () => 0, 1000)).toBe(1000);
    expect(retryDelayMs(DEFAULT_RETRY, 0, () => 0, 60_000)).toBe(DEFAULT_RETRY.maxDelayMs);
  });

  it.each([
    { header: '1', ms: 1000 },
    { header: 'Wed, 01 Jan 2026 00:00:02 GMT', ms: 2000 },
    { header: 'soon', ms: undefined },
    { header: null, ms: undefined },
  ])('reads Retry-After $header as $ms ms', ({ header, ms }) => {
    // Act & Assess
    expect(retryAfterMs(header, Date.parse('2026-01-01T00:00:00Z'))).toBe(ms);
  });
});
