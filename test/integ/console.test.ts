/**
 * The operator console's HTTP contract, as the dashboard (local/console/ui) and
 * `qw` use it, without a browser: the page and its files, the JSON endpoints
 * under /ui/api/, and what the console adds to the banner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_STATUSES } from '../../lambda/shared/job.js';
import type { LocalRuntime } from '../../local/index.js';
import { INTEG_STACK } from './fixtures/app.js';
import { apiClient, captureOutput, startFixtureRuntime, waitFor } from './helpers.js';

const output = captureOutput();
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  runtime = await startFixtureRuntime({ output });
  api = apiClient(runtime);
});

afterAll(async () => {
  await runtime?.stop();
});

async function get(path: string) {
  const res = await fetch(`${runtime.url}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("the operator console's files", () => {
  it('serves the dashboard page, its script and its style sheet', async () => {
    // Act
    const responses = await Promise.all(['/ui', '/ui/app.js', '/ui/style.css'].map((p) => fetch(`${runtime.url}${p}`)));
    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(responses.map((r) => r.headers.get('content-type'))).toEqual([
      'text/html; charset=utf-8',
      'text/javascript; charset=utf-8',
      'text/css; charset=utf-8',
    ]);
  });

  it('answers 404 NOT_FOUND for anything else under /ui', async () => {
    // Act
    const page = await get('/ui/nothing');
    const endpoint = await get('/ui/api/nothing');
    // Assess
    expect(page).toEqual({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'Nothing at "/ui/nothing".' } } });
    expect(endpoint).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'No admin endpoint GET "/ui/api/nothing".' } },
    });
  });
});

describe("the operator console's answers to a malformed or outsized path", () => {
  it.each([
    ['GET', '/ui/api/jobs/%'],
    ['POST', '/ui/api/jobs/%'],
    ['GET', '/ui/api/dlq/%E0%A4%A'],
    ['POST', '/ui/api/dlq/%zz/redrive'],
  ])('answers %s %s, whose percent-escape does not decode, 400 MALFORMED_PATH', async (method, path) => {
    // Act
    const res = method === 'GET' ? await get(path) : await post(path, {});
    // Assess
    expect(res).toEqual({
      status: 400,
      body: {
        error: { code: 'MALFORMED_PATH', message: expect.stringContaining(`The path "${path}" has a malformed`) },
      },
    });
  });

  it('answers a job id longer than any job has 404, quoting only its start', async () => {
    // Act
    const res = await get(`/ui/api/jobs/${'j'.repeat(8_000)}`);
    // Assess
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({
      code: 'NOT_FOUND',
      message: `No job with id "${'j'.repeat(48)}…" (8000 characters).`,
    });
  });

  it('answers a long path it does not serve in a short 404', async () => {
    // Act
    const res = await get(`/ui/api/${'n'.repeat(8_000)}`);
    // Assess
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body).length).toBeLessThan(256);
  });
});

describe("the operator console's JSON endpoints", () => {
  it('counts the jobs the pollers finish, per job type, in the overview and the throughput', async () => {
    // Prepare
    const res = await api.request('POST', '/jobs/batch', {
      jobs: Array.from({ length: 6 }, () => ({ type: 'simulate', payload: {} })),
    });
    await Promise.all((res.body.results as { jobId: string }[]).map((r) => api.settled(r.jobId)));
    // Act
    const overview = await waitFor(
      () => get('/ui/api/overview'),
      (o) =>
        ((o.body.queues as { type: string; jobsPerSecond: number }[]).find((q) => q.type === 'simulate')
          ?.jobsPerSecond ?? 0) > 0,
      { what: 'the finished jobs counted' },
    );
    const throughput = await get('/ui/api/throughput?minutes=1&step=5');
    // Assess
    expect(overview.body).toMatchObject({ stackName: INTEG_STACK, url: runtime.url, rateWindowSeconds: 10 });
    const rows = overview.body.queues as Record<string, unknown>[];
    expect(rows.map((r) => r.type).sort()).toEqual(['image.thumbnail', 'simulate', 'webhook.deliver']);
    expect(rows.find((r) => r.type === 'simulate')).toMatchObject({
      visible: expect.any(Number),
      inFlight: expect.any(Number),
      delayed: expect.any(Number),
      dlq: expect.any(Number),
      jobsPerSecond: expect.any(Number),
    });
    const series = throughput.body.series as { type: string; points: number[] }[];
    expect(series.find((s) => s.type === 'simulate')?.points).toHaveLength(12);
    expect(series.find((s) => s.type === 'simulate')?.points.some((p) => p > 0)).toBe(true);
  });

  it("lists recent jobs by status and shows one job's record", async () => {
    // Prepare
    const jobId = await api.submit({ type: 'simulate', payload: {} });
    await api.settled(jobId);
    // Act
    const listed = await get('/ui/api/jobs?status=succeeded&type=simulate&limit=500');
    const detail = await get(`/ui/api/jobs/${jobId}`);
    const missing = await get('/ui/api/jobs/00000000-0000-4000-8000-000000000000');
    // Assess
    const jobs = listed.body.jobs as { jobId: string; status: string }[];
    expect(jobs.some((j) => j.jobId === jobId)).toBe(true);
    expect(jobs.every((j) => j.status === 'succeeded')).toBe(true);
    expect(detail.body).toMatchObject({ jobId, status: 'succeeded', type: 'simulate' });
    expect(detail.body).not.toHaveProperty('requestHash');
    expect(missing.status).toBe(404);
  });

  it('refuses a status filter that is not a job status, naming the ones there are', async () => {
    // Act
    const res = await get('/ui/api/jobs?status=done');
    // Assess
    expect(res).toEqual({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR', message: `status must be one of ${JOB_STATUSES.join(', ')}.` } },
    });
  });

  it("lists a job type's dead letters and redrives them with a move task", async () => {
    // Prepare
    const jobId = await api.submit({ type: 'simulate', payload: { fatal: true } });
    await api.settled(jobId);
    await waitFor(
      () => get('/ui/api/dlq/simulate'),
      (r) => (r.body.messages as { jobId?: string }[]).some((m) => m.jobId === jobId),
      { what: 'the fatal job in the DLQ' },
    );
    // Act
    const redriven = await post('/ui/api/dlq/simulate/redrive', { maxPerSecond: 10 });
    // Assess
    expect(redriven.status).toBe(200);
    expect(redriven.body).toMatchObject({ type: 'simulate', method: 'StartMessageMoveTask', requeued: 1 });
    expect(await get('/ui/api/dlq/nosuch')).toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
  });
});

describe("the operator console's refusals and banner", () => {
  it('refuses a POST from another origin, and one that is not JSON', async () => {
    // Act
    const crossOrigin = await post('/ui/api/dlq/simulate/redrive', {}, { origin: 'http://evil.example' });
    const notJson = await post('/ui/api/dlq/simulate/redrive', {}, { 'content-type': 'text/plain' });
    // Assess
    expect(crossOrigin).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(notJson).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
  });

  it('adds the dashboard, the job types and a request to try to the start-up banner', () => {
    // Act
    const banner = output.lines.find((l) => l.startsWith('Local runtime for stack')) ?? '';
    // Assess
    expect(banner).toContain(`  Dashboard  ${runtime.url}/ui   OpenAPI ${runtime.url}/openapi.json   CLI npx qw watch`);
    expect(banner).toContain('  Job types  simulate, webhook.deliver');
    expect(banner).toMatch(/ {2}Try {8}curl -s -X POST .*\\\n {15}-d '\{"type":"simulate","payload":\{\}\}' http:/);
  });
});
