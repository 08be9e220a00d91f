import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { submitAdmitted } from '../../../lambda/api/admission.js';
import { defineJobType } from '../../../lambda/jobs/define.js';
import * as z from '../../../lambda/shared/zod.js';
import { callRoute, memoryApiDeps } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';
import { s3Error } from '../../helpers/s3-errors.js';

const s3 = mockClient(S3Client);

const call = callRoute;

const post = (body: unknown) => apiEvent({ method: 'POST', resource: '/jobs', path: '/jobs', body });
const batch = (items: unknown[]) =>
  apiEvent({ method: 'POST', resource: '/jobs/batch', path: '/jobs/batch', body: { jobs: items } });
const thumbnail = (key: string, extra: Record<string, unknown> = {}) => ({
  type: 'image.thumbnail',
  payload: { key },
  ...extra,
});

beforeEach(() => {
  s3.reset();
  s3.on(HeadObjectCommand).rejects(s3Error('NotFound', 404));
});

describe('admitting a job before it is submitted', () => {
  it.each([
    [
      'a property the document does not allow',
      { priority: 1 },
      { path: '(root)', message: 'Unrecognized key: "priority"' },
    ],
    ['a groupId on a standard job type', { groupId: 'g-1' }, { path: 'groupId', message: 'only for FIFO job types' }],
  ])(
    'refuses a batch item with %s, naming it, before its precheck asks S3 for the upload',
    async (_case, extra, problem) => {
      // Prepare
      const deps = memoryApiDeps();
      // Act
      const res = await call(deps, batch([thumbnail('uploads/never-made', extra)]));
      // Assess
      expect(res.status).toBe(202);
      expect(res.body.results).toEqual([
        { error: { code: 'VALIDATION_ERROR', message: expect.any(String), details: [problem] } },
      ]);
      expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    },
  );

  it('refuses the same request to POST /jobs with 400, not the 422 of its precheck', async () => {
    // Act
    const res = await call(memoryApiDeps(), post(thumbnail('uploads/never-made', { priority: 1 })));
    // Assess
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: 'The job request is invalid.' });
    expect(res.body.error.details[0].message).toBe('Unrecognized key: "priority"');
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
  });

  it('still runs the precheck of a valid item, and answers its 422', async () => {
    // Act
    const res = await call(memoryApiDeps(), batch([thumbnail('uploads/never-made')]));
    // Assess
    expect(res.body.results[0].error.code).toBe('UPLOAD_NOT_FOUND');
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(1);
  });

  it('keeps the results in request order when items are refused before, by and after submission', async () => {
    // Prepare
    const deps = memoryApiDeps();
    const items = [
      { type: 'simulate', payload: {}, idempotencyKey: 'first' },
      thumbnail('uploads/x', { priority: 1 }),
      thumbnail('uploads/never-made'),
      { type: 'nope' },
      { type: 'simulate', payload: { sleepMs: 'slow' } },
      'not an object',
      { type: 'simulate', payload: {}, idempotencyKey: 'last' },
    ];
    // Act
    const res = await call(deps, batch(items));
    // Assess
    const results = res.body.results as { jobId?: string; error?: { code: string } }[];
    expect(results.map((r) => r.error?.code ?? 'accepted')).toEqual([
      'accepted',
      'VALIDATION_ERROR',
      'UPLOAD_NOT_FOUND',
      'UNKNOWN_JOB_TYPE',
      'VALIDATION_ERROR',
      'VALIDATION_ERROR',
      'accepted',
    ]);
    expect(deps.store.records.get(results[0]?.jobId ?? '')?.idempotencyKey).toBe('first');
    expect(deps.store.records.get(results[6]?.jobId ?? '')?.idempotencyKey).toBe('last');
    expect(res.body).toMatchObject({ accepted: 2, rejected: 5 });
  });

  it('refuses delaySeconds on a FIFO job type, even 0, as its request schema leaves it out', async () => {
    // Prepare
    const ordered = defineJobType({
      name: 'ordered',
      description: 'd',
      payload: z.object({}),
      handler: async () => null,
      queue: { fifo: true },
    });
    const base = memoryApiDeps();
    const deps = {
      ...base,
      jobTypes: [ordered],
      config: { ...base.config, queueUrls: { ordered: 'https://sqs.local/queue-ordered.fifo' } },
    };
    // Act
    const results = await submitAdmitted(
      [
        { type: 'ordered', delaySeconds: 0 },
        { type: 'ordered', groupId: 'g-1' },
      ],
      deps,
    );
    // Assess
    expect(results[0]).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_ERROR', details: [{ path: 'delaySeconds' }] },
    });
    expect(results[1]).toMatchObject({ ok: true });
  });
});

describe("what an answer repeats of a client's input", () => {
  it('answers a batch item with a 1.1 MB type in a few KB at most', async () => {
    // Prepare
    const type = 't'.repeat(1_100_000);
    // Act
    const res = await call(memoryApiDeps(), batch([{ type, payload: {} }, { type: 'simulate' }]));
    // Assess
    expect(res.status).toBe(202);
    expect(res.text.length).toBeLessThan(4096);
    expect(res.body.results[0].error).toMatchObject({
      code: 'UNKNOWN_JOB_TYPE',
      message: expect.stringContaining('…" (1100000 characters)'),
    });
    expect(res.body.results[1].jobId).toEqual(expect.any(String));
  });

  it('answers POST /jobs with a 1.1 MB type in a few KB at most', async () => {
    // Act
    const res = await call(memoryApiDeps(), post({ type: 't'.repeat(1_100_000) }));
    // Assess
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(4096);
  });

  it('answers a body with thousands of unknown, long property names in a few KB at most', async () => {
    // Prepare
    const item: Record<string, unknown> = { type: 'simulate' };
    for (let i = 0; i < 5_000; i++) item[`${i}-${'k'.repeat(200)}`] = i;
    // Act
    const res = await call(memoryApiDeps(), batch([item]));
    // Assess
    expect(res.text.length).toBeLessThan(4096);
    expect(res.body.results[0].error.details[0].message).toMatch(
      /^Unrecognized keys: "0-k+…" \(202 characters\), .* and 4995 more$/,
    );
  });

  it('answers a payload with thousands of invalid header names in at most 20 problems, each key cut short', async () => {
    // Prepare
    const headers = Object.fromEntries(
      Array.from({ length: 1_000 }, (_, i) => [`bad name ${i} ${'h'.repeat(5_000)}`, 'v']),
    );
    // Act
    const res = await call(
      memoryApiDeps(),
      post({ type: 'webhook.deliver', payload: { url: 'https://example.com/hook', body: {}, headers } }),
    );
    // Assess
    const details = res.body.error.details as { path: string; message: string }[];
    expect(res.status).toBe(400);
    expect(details).toHaveLength(21);
    expect(details[0]?.path).toMatch(/^payload\.headers\."bad name 0 h+…" \(5011 characters\)$/);
    expect(details[20]).toEqual({ path: '(more)', message: '980 more problems, not listed' });
    expect(res.text.length).toBeLessThan(8192);
  });

  it('quotes a long path that has no route, and a job id with a percent sign API Gateway decoded', async () => {
    // Prepare
    const path = `/${'p'.repeat(100_000)}`;
    const jobId = '%E0%A4%A';
    // Act
    const noRoute = await call(memoryApiDeps(), apiEvent({ method: 'GET', resource: '/{proxy+}', path }));
    const missing = await call(
      memoryApiDeps(),
      apiEvent({ method: 'GET', resource: '/jobs/{jobId}', path: `/jobs/${jobId}`, pathParameters: { jobId } }),
    );
    // Assess
    expect(noRoute.status).toBe(404);
    expect(noRoute.text.length).toBeLessThan(512);
    expect(missing).toMatchObject({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'No job with id "%E0%A4%A".', details: { jobId } } },
    });
  });
});
