import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliverJob } from '../../../lambda/jobs/webhook-deliver.js';
import { guardedLookup, type Resolver } from '../../../lambda/jobs/webhook-post.js';
import { environmentSettings } from '../../../lambda/jobs/webhook-settings.js';
import { ConfigError, NonRetryableError, PrivateAddressError, RetryableError } from '../../../lambda/shared/errors.js';
import { jobContext } from '../../helpers/job-context.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { newWebhookSecret, webhookSettings } from '../../helpers/webhook-settings.js';

/** A receiver on loopback that keeps every request and answers 200. */
let receiver: WebhookReceiver;
let port: string;
let received: WebhookReceiver['received'];

beforeAll(async () => {
  receiver = await startWebhookReceiver({ status: 200 });
  port = new URL(receiver.url).port;
  received = receiver.received;
});
afterAll(() => receiver.close());
beforeEach(() => receiver.clear());

describe('webhook.deliver signing', () => {
  it('signs a job that asks for it with Standard Webhooks headers the standardwebhooks package verifies', async () => {
    // Prepare
    const settings = webhookSettings({ allowPrivateNetworks: true });
    const job = webhookDeliverJob({ settings });

    // Act
    await job.handler(
      { url: `http://127.0.0.1:${port}/hook`, body: { jobId: 'j1', status: 'succeeded' }, sign: true },
      jobContext({ jobId: 'cb-1' }),
    );

    // Assess
    const request = received.at(-1);
    const headers = request?.headers as Record<string, string>;
    expect(new Webhook(settings.secret).verify(request?.body ?? '', headers)).toEqual({
      jobId: 'j1',
      status: 'succeeded',
    });
    expect(headers['webhook-id']).toBe('cb-1');
    expect(headers['idempotency-key']).toBe('cb-1');
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });

  it('signs each attempt at its own time, with the same id, and lets no payload header replace the signature', async () => {
    // Prepare
    const times = [new Date('2026-11-29T10:00:00Z'), new Date('2026-11-29T10:05:00Z')];
    const seconds = times.map((t) => String(t.getTime() / 1000));
    const job = webhookDeliverJob({
      settings: webhookSettings({ allowPrivateNetworks: true }),
      now: () => times.shift() as Date,
    });
    const payload = {
      url: `http://127.0.0.1:${port}/hook`,
      body: { n: 1 },
      headers: { 'webhook-signature': 'v1,forged', 'x-trace': 't1' },
      sign: true,
    };

    // Act
    await job.handler(payload, jobContext({ jobId: 'cb-2', attempt: 1 }));
    await job.handler(payload, jobContext({ jobId: 'cb-2', attempt: 2 }));

    // Assess
    expect(received.map((r) => r.headers['webhook-timestamp'])).toEqual(seconds);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(['cb-2', 'cb-2']);
    expect(received.map((r) => r.headers['webhook-signature'])).not.toContain('v1,forged');
    expect(received[0]?.headers['x-trace']).toBe('t1');
  });

  it('sends no signature headers when the job does not ask for them', async () => {
    const job = webhookDeliverJob({ settings: webhookSettings({ allowPrivateNetworks: true }) });

    await job.handler({ url: `http://127.0.0.1:${port}/hook`, body: {} }, jobContext());

    expect(Object.keys(received.at(-1)?.headers ?? {}).filter((h) => h.startsWith('webhook-'))).toEqual([]);
  });

  it('fails at once when the signing secret is missing or malformed, and retries when it cannot be read', async () => {
    // Prepare
    const payload = { url: `http://127.0.0.1:${port}/hook`, body: {}, sign: true };
    const broken = (error: Error) =>
      webhookDeliverJob({
        settings: { allowPrivateNetworks: () => true, signingKey: () => Promise.reject(error) },
      });

    // Act
    const misconfigured = broken(new ConfigError('no secret')).handler(payload, jobContext());
    const unreachable = broken(new Error('connect ETIMEDOUT')).handler(payload, jobContext());

    // Assess
    await expect(misconfigured).rejects.toMatchObject({ name: 'NonRetryableError', code: 'CONFIG_ERROR' });
    await expect(unreachable).rejects.toBeInstanceOf(RetryableError);
    expect(received).toEqual([]);
  });
});

describe('webhook.deliver on a stack that does not allow private networks', () => {
  const job = webhookDeliverJob({ settings: webhookSettings({ allowPrivateNetworks: false }) });

  it.each([
    ['127.0.0.1', `http://127.0.0.1:${'PORT'}/hook`, 'loopback'],
    ['::1', 'http://[::1]:PORT/hook', 'loopback'],
    ['169.254.169.254', 'http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['10.0.0.1', 'https://10.0.0.1/hook', 'private'],
  ])('refuses %s without connecting, naming the address', async (address, url, kind) => {
    const attempt = job.handler({ url: url.replace('PORT', String(port)), body: {} }, jobContext());

    await expect(attempt).rejects.toBeInstanceOf(NonRetryableError);
    await expect(attempt).rejects.toMatchObject({ code: 'PRIVATE_ADDRESS', address, kind });
    expect(received).toEqual([]);
  });

  it('refuses a name once it resolves to a loopback address, at connect time', async () => {
    const attempt = job.handler({ url: `http://localhost:${port}/hook`, body: {} }, jobContext());

    await expect(attempt).rejects.toBeInstanceOf(PrivateAddressError);
    await expect(attempt).rejects.toThrow(/localhost \(resolved to (127\.0\.0\.1|::1)\): a loopback address/);
    expect(received).toEqual([]);
  });

  it('delivers to the same name when the stack allows private networks', async () => {
    const allowed = webhookDeliverJob({ settings: webhookSettings({ allowPrivateNetworks: true }) });

    const result = await allowed.handler({ url: `http://localhost:${port}/hook`, body: { ok: 1 } }, jobContext());

    expect(result.status).toBe(200);
    expect(received).toHaveLength(1);
  });
});

describe('the connection lookup', () => {
  const resolving =
    (...addresses: string[]): Resolver =>
    (_host, _options, callback) =>
      callback(
        null,
        addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
      );
  const look = (resolver: Resolver, all: boolean) =>
    new Promise<{ error: Error | null; address: unknown }>((resolve) =>
      guardedLookup(resolver)('hooks.example.com', { all }, (error, address) => resolve({ error, address })),
    );

  it('refuses a name with any private address among its addresses, naming that one', async () => {
    const { error } = await look(resolving('93.184.216.34', '10.0.0.7'), false);

    expect(error).toBeInstanceOf(PrivateAddressError);
    expect(error?.message).toContain('hooks.example.com (resolved to 10.0.0.7): a private address');
  });

  it('hands the connection every address, or the first, as it asks', async () => {
    const resolver = resolving('93.184.216.34', '2606:2800:220:1::1');

    expect((await look(resolver, true)).address).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    expect((await look(resolver, false)).address).toBe('93.184.216.34');
  });

  it('passes a DNS failure on, to be retried', async () => {
    const failing: Resolver = (_h, _o, callback) =>
      callback(Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' }), []);

    expect((await look(failing, false)).error?.message).toBe('getaddrinfo EAI_AGAIN');
  });
});

describe("webhook.deliver's settings from the environment", () => {
  const env = (extra: Record<string, string> = {}) => ({ WEBHOOK_SIGNING_SECRET_ARN: 'arn:secret', ...extra });

  it('reads the signing secret once, and again only after a read failed', async () => {
    // Prepare
    const secret = newWebhookSecret();
    const answers = [Promise.reject(new Error('throttled')), Promise.resolve(secret)];
    let reads = 0;
    const settings = environmentSettings(env(), async () => {
      reads += 1;
      return (answers.shift() ?? Promise.resolve(secret)) as Promise<string>;
    });

    // Act
    await expect(settings.signingKey()).rejects.toThrow('throttled');
    const keys = await Promise.all([settings.signingKey(), settings.signingKey(), settings.signingKey()]);

    // Assess
    expect(reads).toBe(2);
    expect(keys.every((k) => k.equals(Buffer.from(secret.slice('whsec_'.length), 'base64')))).toBe(true);
  });

  it('allows private networks only when told to, and refuses a value it does not understand', () => {
    expect(environmentSettings(env()).allowPrivateNetworks()).toBe(false);
    expect(environmentSettings(env({ ALLOW_PRIVATE_NETWORKS: 'true' })).allowPrivateNetworks()).toBe(true);
    expect(() => environmentSettings(env({ ALLOW_PRIVATE_NETWORKS: 'yes' })).allowPrivateNetworks()).toThrow(
      /ALLOW_PRIVATE_NETWORKS="yes" \(want true or false\)/,
    );
  });

  it('says the stack gives the worker its secret when it has none', async () => {
    await expect(environmentSettings({}, async () => 'unused').signingKey()).rejects.toThrow(ConfigError);
  });
});
