import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { callRoute, memoryApiDeps } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';

type Deps = ReturnType<typeof memoryApiDeps>;

/** The API's dependencies on a stack that does (npm start) or does not (AWS) allow private networks. */
function deps(allowPrivateNetworks: boolean): Deps {
  const base = memoryApiDeps();
  return { ...base, config: { ...base.config, allowPrivateNetworks } };
}

const call = (d: Deps, path: '/jobs' | '/jobs/batch', body: unknown) =>
  callRoute(d, apiEvent({ method: 'POST', resource: path, path, body }));

describe('callbackUrl on POST /jobs', () => {
  it('is kept on the job record, and in the job message for a worker that must write the record', async () => {
    // Prepare
    const d = deps(false);

    // Act
    const res = await call(d, '/jobs', { type: 'simulate', callbackUrl: 'https://hooks.example.com/done?k=1' });

    // Assess
    expect(res.status).toBe(202);
    expect(d.store.records.get(res.body.jobId)?.callbackUrl).toBe('https://hooks.example.com/done?k=1');
    expect(JSON.parse(d.queue.sent[0]?.message.body ?? '')).toMatchObject({
      callbackUrl: 'https://hooks.example.com/done?k=1',
    });
  });

  it.each([
    [false, 'http://hooks.example.com/done', 'callbackUrl must use https.'],
    [false, 'http://127.0.0.1:8080/done', 'callbackUrl must use https.'],
    [false, 'https://169.254.169.254/latest', 'callbackUrl names 169.254.169.254, a link-local address'],
    [false, 'https://localhost/done', 'callbackUrl names localhost, a loopback host'],
    [true, 'http://hooks.example.com/done', 'http is accepted only for a loopback host'],
    [false, 'https://u:p@hooks.example.com/', 'must not carry credentials'],
  ])('answers 400 naming the problem (private networks allowed: %s) for %s', async (allow, url, message) => {
    const d = deps(allow);

    const res = await call(d, '/jobs', { type: 'simulate', callbackUrl: url });

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
    expect(res.body.error.message).toContain(message);
    expect(res.body.error.details).toEqual([{ path: 'callbackUrl', message: expect.any(String) }]);
    expect(d.queue.sent).toEqual([]);
  });

  it('answers 400 for a value that is no URL, from the schema', async () => {
    const res = await call(deps(false), '/jobs', { type: 'simulate', callbackUrl: 'not a url' });

    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([{ path: 'callbackUrl', message: 'must be an absolute http(s) URL' }]);
  });

  it('accepts http to loopback where the stack allows private networks, as npm start does', async () => {
    const d = deps(true);

    const res = await call(d, '/jobs', { type: 'simulate', callbackUrl: 'http://127.0.0.1:9999/done' });

    expect(res.status).toBe(202);
    expect(d.store.records.get(res.body.jobId)?.callbackUrl).toBe('http://127.0.0.1:9999/done');
  });

  it('answers 400 when the stack has no webhook.deliver job type to deliver callbacks', async () => {
    const base = deps(false);
    const d = { ...base, jobTypes: base.jobTypes.filter((t) => t.name !== 'webhook.deliver') };
    const { 'webhook.deliver': _gone, ...queueUrls } = base.config.queueUrls;

    const res = await call({ ...d, config: { ...d.config, queueUrls } }, '/jobs', {
      type: 'simulate',
      callbackUrl: 'https://hooks.example.com/done',
    });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('delivered by the webhook.deliver job type');
  });

  it('makes a request with another callback URL a different request for its idempotency key', async () => {
    const d = deps(false);
    const first = { type: 'simulate', idempotencyKey: 'k1', callbackUrl: 'https://a.example.com/' };

    const again = await call(d, '/jobs', first).then(() => call(d, '/jobs', first));
    const other = await call(d, '/jobs', { ...first, callbackUrl: 'https://b.example.com/' });

    expect(again.status).toBe(202);
    expect(other.status).toBe(409);
  });

  it('keeps the request hash of a job without a callback URL as it was before callbacks', async () => {
    const d = deps(false);

    const res = await call(d, '/jobs', { type: 'simulate', payload: { sleepMs: 1 }, idempotencyKey: 'k2' });

    const before = createHash('sha256')
      .update(JSON.stringify(['simulate', { sleepMs: 1 }, 0, null]))
      .digest('base64url');
    expect(d.store.records.get(res.body.jobId)?.requestHash).toBe(before);
  });
});

describe('callbackUrl on POST /jobs/batch', () => {
  it('is checked item by item', async () => {
    const d = deps(false);

    const res = await call(d, '/jobs/batch', {
      jobs: [
        { type: 'simulate', callbackUrl: 'https://hooks.example.com/1' },
        { type: 'simulate', callbackUrl: 'http://hooks.example.com/2' },
      ],
    });

    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(1);
    expect(res.body.results[1].error.message).toBe('callbackUrl must use https.');
    expect(d.store.records.get(res.body.results[0].jobId)?.callbackUrl).toBe('https://hooks.example.com/1');
  });
});
