import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lambda/shared/errors.js';
import { signingKeyOf, webhookSignatureHeaders } from '../../../lambda/shared/webhook-signature.js';

/** A secret as Standard Webhooks writes one: whsec_ and 32 random bytes in base64. */
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({ jobId: 'j1', status: 'succeeded', result: { ok: true, text: 'café ✓' } });

describe('Standard Webhooks signatures', () => {
  it('match the test vector of the Standard Webhooks JavaScript library', () => {
    // Prepare: the vector of standard-webhooks/libraries/javascript/src/webhook.test.ts ("sign function works")
    const key = signingKeyOf('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');

    // Act
    const headers = webhookSignatureHeaders(
      key,
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
    );

    // Assess
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('are verified by the standardwebhooks package, which returns the parsed body', () => {
    // Act
    const headers = webhookSignatureHeaders(signingKeyOf(secret), 'cb-1', new Date(), body);

    // Assess
    expect(new Webhook(secret).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it.each<[string, { body?: string; id?: string; secret?: string }]>([
    ['a changed body', { body: body.replace('succeeded', 'failed') }],
    ['another id', { id: 'cb-2' }],
    ['another secret', { secret: `whsec_${randomBytes(32).toString('base64')}` }],
  ])('are refused by the standardwebhooks package for %s', (_what, change) => {
    // Prepare
    const headers = webhookSignatureHeaders(signingKeyOf(secret), 'cb-1', new Date(), body);
    const sent = { ...headers, ...(change.id ? { 'webhook-id': change.id } : {}) };

    // Act and assess
    expect(() => new Webhook(change.secret ?? secret).verify(change.body ?? body, sent)).toThrow(
      WebhookVerificationError,
    );
  });

  it('are refused by the standardwebhooks package when the timestamp is older than its 5 minutes', () => {
    const headers = webhookSignatureHeaders(signingKeyOf(secret), 'cb-1', new Date(Date.now() - 6 * 60_000), body);

    expect(() => new Webhook(secret).verify(body, { ...headers })).toThrow(/too old/);
  });

  it('use the same key for a secret with or without its whsec_ prefix', () => {
    expect(signingKeyOf(secret.slice('whsec_'.length))).toEqual(signingKeyOf(secret));
  });

  it.each([
    ['not base64', 'whsec_not*base64!'],
    ['shorter than 24 bytes', `whsec_${randomBytes(16).toString('base64')}`],
    ['empty', ''],
  ])('refuse a secret that is %s, without showing it', (_what, bad) => {
    const attempt = () => signingKeyOf(bad);

    expect(attempt).toThrow(ConfigError);
    if (bad) expect(attempt).not.toThrow(bad.slice('whsec_'.length));
  });
});
