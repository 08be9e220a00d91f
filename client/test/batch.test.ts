import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobClient, MAX_BATCH_JOBS } from '../src/index.js';
import { type FakeApi, jsonBody, startFakeApi } from './support/api-server.js';

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi();
});

afterAll(() => api.close());

beforeEach(() => {
  api.received.length = 0;
});

const client = () => createJobClient({ url: api.url, auth: 'none', retry: { retries: 1, baseDelayMs: 1 } });

interface Item {
  type: string;
  payload: { n: number };
  idempotencyKey: string;
}

/** The API's batch answer: accepts every item, except those whose payload.n is in `refuse`. */
function acceptAll(refuse: readonly number[] = []) {
  api.answer((request) => {
    const { jobs } = JSON.parse(request.body) as { jobs: Item[] };
    const results = jobs.map((j) =>
      refuse.includes(j.payload.n)
        ? { error: { code: 'VALIDATION_ERROR', message: `n ${j.payload.n} refused` } }
        : { jobId: `job-${j.payload.n}`, type: j.type, status: 'queued', statusUrl: `u/${j.payload.n}` },
    );
    const rejected = results.filter((r) => 'error' in r).length;
    return { status: 202, body: { accepted: results.length - rejected, rejected, results } };
  });
}

const items = (count: number) => Array.from({ length: count }, (_v, n) => ({ type: 'simulate', payload: { n } }));

describe('submitBatch', () => {
  it(`sends ${MAX_BATCH_JOBS} jobs per request and gives one result per item, in order`, async () => {
    // Prepare
    acceptAll([150]);

    // Act
    const res = await client().submitBatch(items(250));

    // Assess
    expect(api.received.map((r) => (JSON.parse(r.body) as { jobs: unknown[] }).jobs.length)).toEqual([100, 100, 50]);
    expect(res.accepted).toBe(249);
    expect(res.rejected).toBe(1);
    expect(res.results.map((r) => ('jobId' in r ? r.jobId : 'rejected'))).toEqual(
      Array.from({ length: 250 }, (_v, n) => (n === 150 ? 'rejected' : `job-${n}`)),
    );
  });

  it("gives every item an idempotency key (the caller's, or a new one), so a retried chunk queues nothing twice", async () => {
    // Prepare
    acceptAll();

    // Act
    await client().submitBatch([
      { type: 'simulate', payload: { n: 0 }, idempotencyKey: 'mine', delaySeconds: 5 },
      { type: 'simulate', payload: { n: 1 } },
    ]);

    // Assess
    const { jobs } = jsonBody<{ jobs: Record<string, unknown>[] }>(api, 0);
    expect(jobs[0]).toEqual({ type: 'simulate', payload: { n: 0 }, idempotencyKey: 'mine', delaySeconds: 5 });
    expect(jobs[1]).toEqual({ type: 'simulate', payload: { n: 1 }, idempotencyKey: expect.any(String) });
  });

  it('retries a chunk after a 503 with the same keys', async () => {
    // Prepare
    let calls = 0;
    api.answer((request) => {
      calls += 1;
      if (calls === 1) return { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'x' } } };
      const { jobs } = JSON.parse(request.body) as { jobs: Item[] };
      const results = jobs.map((j) => ({
        jobId: `job-${j.payload.n}`,
        type: j.type,
        status: 'queued',
        statusUrl: 'u',
      }));
      return { status: 202, body: { accepted: results.length, rejected: 0, results } };
    });

    // Act
    const res = await client().submitBatch(items(3));

    // Assess
    expect(res.accepted).toBe(3);
    expect(api.received[1]?.body).toBe(api.received[0]?.body);
  });

  it('rejects each item of a chunk the API refuses as a whole, with the error and its key, and goes on', async () => {
    // Prepare
    let chunk = 0;
    api.answer((request) => {
      chunk += 1;
      if (chunk === 1)
        return {
          status: 413,
          body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'too big', details: { size: 2, limit: 1 } } },
        };
      const { jobs } = JSON.parse(request.body) as { jobs: Item[] };
      const results = jobs.map((j) => ({
        jobId: `job-${j.payload.n}`,
        type: j.type,
        status: 'queued',
        statusUrl: 'u',
      }));
      return { status: 202, body: { accepted: results.length, rejected: 0, results } };
    });

    // Act
    const res = await client().submitBatch(items(101));

    // Assess
    expect(res).toMatchObject({ accepted: 1, rejected: 100 });
    const sentKeys = jsonBody<{ jobs: Item[] }>(api, 0).jobs.map((j) => j.idempotencyKey);
    expect(res.results[0]).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'too big', details: { size: 2, limit: 1 } },
      idempotencyKey: sentKeys[0],
    });
    expect(res.results[100]).toMatchObject({ jobId: 'job-100' });
  });

  it('answers an empty list without calling the API', async () => {
    // Act
    const res = await client().submitBatch([]);

    // Assess
    expect(res).toEqual({ accepted: 0, rejected: 0, results: [] });
    expect(api.received).toHaveLength(0);
  });
});
