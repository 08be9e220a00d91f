import { describe, expect, it } from 'vitest';
import { errorResponse } from '../../../lambda/api/http.js';
import { jobIdForKey } from '../../../lambda/api/submit.js';
import { callRoute, memoryApiDeps } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';

/** Runs a request through the router and the error mapping, as the handler does. */
const call = callRoute;

const post = (body: unknown, headers?: Record<string, string>) =>
  apiEvent({ method: 'POST', resource: '/jobs', path: '/jobs', body, ...(headers ? { headers } : {}) });

describe('POST /jobs', () => {
  it('answers 202 with a job id and status URL, and records the job before queueing it', async () => {
    // Prepare
    const deps = memoryApiDeps();
    // Act
    const res = await call(deps, post({ type: 'simulate', payload: { sleepMs: 5 } }));
    // Assess
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      jobId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: 'simulate',
      status: 'queued',
      statusUrl: `https://1234567890.execute-api.us-east-1.amazonaws.com/prod/jobs/${res.body.jobId}`,
    });
    expect(deps.store.records.get(res.body.jobId)).toMatchObject({ status: 'queued', attempts: 0, maxAttempts: 3 });
    expect(deps.queue.sent).toHaveLength(1);
    const sent = deps.queue.sent[0];
    expect(sent?.queueUrl).toBe('https://sqs.local/queue-simulate');
    expect(JSON.parse(sent?.message.body ?? '')).toMatchObject({
      jobId: res.body.jobId,
      type: 'simulate',
      payload: { sleepMs: 5 },
    });
  });

  it('routes each job type to its own queue', async () => {
    const deps = memoryApiDeps();
    await call(deps, post({ type: 'webhook.deliver', payload: { url: 'https://example.com/hook', body: { a: 1 } } }));
    expect(deps.queue.sent.map((s) => s.queueUrl)).toEqual(['https://sqs.local/queue-webhook.deliver']);
  });

  it('passes delaySeconds to SQS', async () => {
    const deps = memoryApiDeps();
    await call(deps, post({ type: 'simulate', delaySeconds: 30 }));
    expect(deps.queue.sent[0]?.message.delaySeconds).toBe(30);
  });

  it('returns the same job for a repeated idempotency key and queues nothing new', async () => {
    const deps = memoryApiDeps();
    const first = await call(deps, post({ type: 'simulate', payload: {}, idempotencyKey: 'order-42' }));
    const second = await call(deps, post({ type: 'simulate', payload: {}, idempotencyKey: 'order-42' }));
    expect(second.status).toBe(202);
    expect(second.body.jobId).toBe(first.body.jobId);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('accepts the idempotency key as an Idempotency-Key header', async () => {
    const deps = memoryApiDeps();
    const first = await call(deps, post({ type: 'simulate' }, { 'Idempotency-Key': 'abc' }));
    const second = await call(deps, post({ type: 'simulate', idempotencyKey: 'abc' }));
    expect(first.body.jobId).toBe(jobIdForKey('abc'));
    expect(second.body.jobId).toBe(first.body.jobId);
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('answers 409 when an idempotency key is reused for a different job', async () => {
    const deps = memoryApiDeps();
    await call(deps, post({ type: 'simulate', payload: { sleepMs: 1 }, idempotencyKey: 'k' }));
    const res = await call(deps, post({ type: 'simulate', payload: { sleepMs: 2 }, idempotencyKey: 'k' }));
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('answers 400 naming the offending payload fields', async () => {
    const deps = memoryApiDeps();
    const res = await call(deps, post({ type: 'simulate', payload: { sleepMs: -1, extra: true } }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['payload.sleepMs', 'payload']));
    expect(deps.queue.sent).toHaveLength(0);
  });

  it('answers 400 for a null payload, which is a value and not an object, where a left-out one is {}', async () => {
    // Prepare
    const deps = memoryApiDeps();
    // Act
    const nulled = await call(deps, post({ type: 'simulate', payload: null }));
    const omitted = await call(deps, post({ type: 'simulate' }));
    // Assess
    expect(nulled.status).toBe(400);
    expect(nulled.body.error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: 'payload' }] });
    expect(omitted.status).toBe(202);
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('answers 400 for an unknown job type, listing the known ones', async () => {
    const res = await call(memoryApiDeps(), post({ type: 'nope' }));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      code: 'UNKNOWN_JOB_TYPE',
      details: { known: ['simulate', 'webhook.deliver', 'image.thumbnail'] },
    });
  });

  it.each([
    ['a delay out of range', { type: 'simulate', delaySeconds: 901 }, 'delaySeconds'],
    ['an unknown top-level field', { type: 'simulate', priority: 1 }, '(root)'],
    ['a groupId on a standard type', { type: 'simulate', groupId: 'g' }, 'groupId'],
    ['a missing type', { payload: {} }, 'type'],
  ])('answers 400 for %s', async (_name, body, path) => {
    const res = await call(memoryApiDeps(), post(body));
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('answers 400 when header and body idempotency keys differ', async () => {
    const res = await call(
      memoryApiDeps(),
      post({ type: 'simulate', idempotencyKey: 'a' }, { 'Idempotency-Key': 'b' }),
    );
    expect(res.status).toBe(400);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await call(memoryApiDeps(), post('{"type": '));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await call(
      memoryApiDeps(),
      post('type=simulate', { 'Content-Type': 'application/x-www-form-urlencoded' }),
    );
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await call(memoryApiDeps(), post({ type: 'simulate', payload: { pad: 'x'.repeat(6 * 1024 * 1024) } }));
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { limit: 6 * 1024 * 1024 } });
  });

  it('decodes a base64-encoded body', async () => {
    const event = post('');
    event.body = Buffer.from(JSON.stringify({ type: 'simulate' })).toString('base64');
    event.isBase64Encoded = true;
    expect((await call(memoryApiDeps(), event)).status).toBe(202);
  });

  it('answers 503 and records nothing when SQS refuses the message', async () => {
    const deps = memoryApiDeps();
    deps.queue.refuse = 'all';
    const res = await call(deps, post({ type: 'simulate', idempotencyKey: 'retry-me' }));
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(deps.store.records.get(jobIdForKey('retry-me'))).toBeUndefined();
  });

  it('queues a job again when its key is retried after a refused enqueue', async () => {
    const deps = memoryApiDeps();
    deps.queue.refuse = 'all';
    await call(deps, post({ type: 'simulate', idempotencyKey: 'retry-me' }));
    deps.queue.refuse = new Set();
    const res = await call(deps, post({ type: 'simulate', idempotencyKey: 'retry-me' }));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('queued');
    expect(deps.queue.sent).toHaveLength(1);
    expect(deps.store.records.get(res.body.jobId)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('answers 503 without leaking the cause, and queues nothing, when the job table fails a keyed lookup', async () => {
    const deps = memoryApiDeps();
    deps.store.get = async () => {
      throw new Error('ProvisionedThroughputExceededException: secret table arn:aws:dynamodb:xyz');
    };
    const res = await call(deps, post({ type: 'simulate', idempotencyKey: 'k-1' }));
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toContain('arn:aws');
    expect(deps.queue.sent).toHaveLength(0);
  });

  it('answers 503 saying the job may still run when the record fails after SQS took the message', async () => {
    const deps = memoryApiDeps();
    deps.store.create = async () => {
      throw new Error('ProvisionedThroughputExceededException: secret table arn:aws:dynamodb:xyz');
    };
    const res = await call(deps, post({ type: 'simulate' }));
    expect(res.status).toBe(503);
    expect(JSON.stringify(res.body)).not.toContain('arn:aws');
    expect(res.body.error.message).toMatch(/queued but its record could not be written/);
    expect(deps.queue.sent).toHaveLength(1);
  });
});

describe('POST /jobs/batch', () => {
  const batch = (jobs: unknown) =>
    apiEvent({ method: 'POST', resource: '/jobs/batch', path: '/jobs/batch', body: { jobs } });

  it('accepts the valid items and reports an error for each invalid one, in order', async () => {
    const deps = memoryApiDeps();
    const res = await call(
      deps,
      batch([
        { type: 'simulate' },
        { type: 'nope' },
        { type: 'simulate', payload: { failTimes: 'x' } },
        { type: 'simulate' },
      ]),
    );
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected).toBe(2);
    expect(res.body.results[0]).toMatchObject({ type: 'simulate', status: 'queued' });
    expect(res.body.results[1].error.code).toBe('UNKNOWN_JOB_TYPE');
    expect(res.body.results[2].error.details[0].path).toBe('payload.failTimes');
    expect(res.body.results[3].jobId).not.toBe(res.body.results[0].jobId);
    expect(deps.queue.sent).toHaveLength(2);
  });

  it('treats a repeated key inside one batch as one job', async () => {
    const deps = memoryApiDeps();
    const res = await call(
      deps,
      batch([
        { type: 'simulate', idempotencyKey: 'same' },
        { type: 'simulate', idempotencyKey: 'same' },
      ]),
    );
    expect(res.body.results[0].jobId).toBe(res.body.results[1].jobId);
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('reports a per-item error for the jobs SQS refused and accepts the rest', async () => {
    const deps = memoryApiDeps();
    deps.queue.refuse = new Set([jobIdForKey('bad')]);
    const res = await call(
      deps,
      batch([
        { type: 'simulate', idempotencyKey: 'good' },
        { type: 'simulate', idempotencyKey: 'bad' },
      ]),
    );
    expect(res.body.results[0].status).toBe('queued');
    expect(res.body.results[1].error.code).toBe('SERVICE_UNAVAILABLE');
  });

  it.each([
    ['more than 100 jobs', Array.from({ length: 101 }, () => ({ type: 'simulate' }))],
    ['no jobs', []],
    ['jobs that are not an array', { type: 'simulate' }],
  ])('answers 400 for %s', async (_name, jobs) => {
    const res = await call(memoryApiDeps(), batch(jobs));
    expect(res.status).toBe(400);
  });
});

describe('GET /jobs/{jobId}', () => {
  it('reports a job without internal fields', async () => {
    const deps = memoryApiDeps();
    const { body } = await call(deps, post({ type: 'simulate', idempotencyKey: 'k1' }));
    const res = await call(
      deps,
      apiEvent({
        method: 'GET',
        resource: '/jobs/{jobId}',
        path: `/jobs/${body.jobId}`,
        pathParameters: { jobId: body.jobId },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      jobId: body.jobId,
      type: 'simulate',
      status: 'queued',
      attempts: 0,
      createdAt: '2026-11-24T00:00:00.000Z',
      updatedAt: '2026-11-24T00:00:00.000Z',
    });
  });

  it('answers 404 for an unknown job', async () => {
    const res = await call(
      memoryApiDeps(),
      apiEvent({ method: 'GET', resource: '/jobs/{jobId}', path: '/jobs/x', pathParameters: { jobId: 'x' } }),
    );
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});

describe('routing', () => {
  it('answers 404 in JSON for an unknown route', async () => {
    const res = await call(memoryApiDeps(), apiEvent({ method: 'GET', resource: '/{proxy+}', path: '/nothing' }));
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('answers 405 with an Allow header for a wrong method', async () => {
    const res = await call(memoryApiDeps(), apiEvent({ method: 'DELETE', resource: '/jobs', path: '/jobs' }));
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
  });

  it('answers an unexpected error with a generic 500 that carries no internals', () => {
    const res = errorResponse(new TypeError('cannot read x of undefined at /var/task/index.js'), 'req-9');
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('{"error":{"code":"INTERNAL_ERROR","message":"Internal error; request id req-9."}}');
  });
});
