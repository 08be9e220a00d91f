import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { deployForE2e, type E2eDeployment } from './support/deployment.js';
import { JobApiClient } from './support/scenario.js';

// The emulator's functions run on this machine and reach the receiver on 127.0.0.1: the stack is deployed
// with allowPrivateNetworks, as the emulator's network is the developer's own.
let deployment: E2eDeployment;
let receiver: WebhookReceiver;
let api: JobApiClient;
let secret: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  deployment = await deployForE2e({ context: { allowPrivateNetworks: 'true' } });
  api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
  const secrets = new SecretsManagerClient({
    endpoint: deployment.endpoint,
    region: LOCAL_REGION,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  const out = await secrets.send(
    new GetSecretValueCommand({ SecretId: deployment.outputs.WebhookSigningSecretArn ?? 'missing output' }),
  );
  secrets.destroy();
  secret = out.SecretString ?? '';
});

afterAll(async () => {
  await deployment?.teardown();
  await receiver?.close();
});

describe('completion callbacks on the emulator', () => {
  it('has a generated signing secret of 64 base64 characters', () => {
    expect(secret).toMatch(/^[A-Za-z0-9+/]{64}$/);
  });

  it('POSTs a signed callback with the outcome of a job that succeeded, verified with the standardwebhooks package', async () => {
    // Act
    const res = await api.submit({
      type: 'simulate',
      payload: { sleepMs: 10 },
      callbackUrl: `${receiver.url}/e2e/succeeded`,
    });
    expect(res.status).toBe(202);
    const request = await receiver.request('/e2e/succeeded', 180_000);

    // Assess
    const headers = request.headers as Record<string, string>;
    expect(new Webhook(`whsec_${secret}`).verify(request.body, headers)).toEqual({
      jobId: res.body.jobId,
      type: 'simulate',
      status: 'succeeded',
      attempts: 1,
      result: { attempt: 1 },
      finishedAt: expect.any(String),
    });
    expect(headers['idempotency-key']).toBe(headers['webhook-id']);
    const delivery = await api.waitForTerminal(headers['webhook-id'] ?? '');
    expect(delivery).toMatchObject({ type: 'webhook.deliver', status: 'succeeded', result: { status: 204 } });
  });

  it('POSTs the error of a job that failed', async () => {
    const res = await api.submit({
      type: 'simulate',
      payload: { fatal: true },
      callbackUrl: `${receiver.url}/e2e/failed`,
    });
    const request = await receiver.request('/e2e/failed', 180_000);

    expect(
      new Webhook(`whsec_${secret}`).verify(request.body, request.headers as Record<string, string>),
    ).toMatchObject({
      jobId: res.body.jobId,
      status: 'failed',
      error: { code: 'NON_RETRYABLE' },
    });
  });

  it('answers 400 for a callback URL that is not https and not on loopback', async () => {
    const res = await api.submit({ type: 'simulate', callbackUrl: 'http://example.com/hook' });

    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toContain('callbackUrl');
  });
});
