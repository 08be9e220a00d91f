import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { apiClient, captureOutput, startFixtureRuntime } from './helpers.js';

/** Where the test leaves a signed callback as it went over the wire, for the docs. */
const TRANSCRIPT = path.resolve('.qw/callbacks/signed-callback.http');

const stateDir = mkdtempSync(path.join(tmpdir(), 'qw-callbacks-'));
const output = captureOutput();
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;
let receiver: WebhookReceiver;
/** The signing secret's value, as the banner showed it when the runtime generated it. */
let secret: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  runtime = await startFixtureRuntime({ output, stateDir });
  api = apiClient(runtime);
  const shown = output.lines.join('\n').match(/CallbacksSigningSecret\S*: generated now: (\S+)/);
  secret = shown?.[1] ?? '';
});

afterAll(async () => {
  await runtime?.stop();
  await receiver?.close();
});

describe('completion callbacks under npm start', () => {
  it('prints the generated signing secret once, as kept in the state directory', () => {
    const kept = JSON.parse(readFileSync(path.join(stateDir, 'secrets.json'), 'utf8')) as Record<
      string,
      { value: string }
    >;

    expect(secret).toMatch(/^[A-Za-z0-9+/]{64}$/);
    expect(Object.values(kept).map((k) => k.value)).toEqual([secret]);
  });

  it('POSTs a signed callback with the outcome of a job that succeeded, which the standardwebhooks package verifies', async () => {
    // Act
    const jobId = await api.submit({
      type: 'simulate',
      payload: { sleepMs: 10 },
      callbackUrl: `${receiver.url}/callbacks/succeeded`,
    });
    const request = await receiver.request('/callbacks/succeeded');

    // Assess
    const headers = request.headers as Record<string, string>;
    const body = new Webhook(`whsec_${secret}`).verify(request.body, headers);
    expect(body).toEqual({
      jobId,
      type: 'simulate',
      status: 'succeeded',
      attempts: 1,
      result: { attempt: 1 },
      finishedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    // The finisher stamps finishedAt once its write is done: at or just after the record's updatedAt.
    const lag = Date.parse((body as { finishedAt: string }).finishedAt) - Date.parse((await api.job(jobId)).updatedAt);
    expect(lag).toBeGreaterThanOrEqual(0);
    expect(lag).toBeLessThan(1000);
    expect(request.method).toBe('POST');
    expect(headers['content-type']).toBe('application/json');
    expect(headers['idempotency-key']).toBe(headers['webhook-id']);
    mkdirSync(path.dirname(TRANSCRIPT), { recursive: true });
    writeFileSync(TRANSCRIPT, `${receiver.transcript(request)}\n`);
  });

  it('POSTs the error of a job that failed, once it is in the DLQ', async () => {
    const jobId = await api.submit({
      type: 'simulate',
      payload: { fatal: true },
      callbackUrl: `${receiver.url}/callbacks/failed`,
    });
    const request = await receiver.request('/callbacks/failed');

    expect(
      new Webhook(`whsec_${secret}`).verify(request.body, request.headers as Record<string, string>),
    ).toMatchObject({
      jobId,
      status: 'failed',
      attempts: 1,
      error: { code: 'NON_RETRYABLE', message: 'simulated fatal failure' },
    });
    expect((await api.job(jobId)).status).toBe('failed');
  });

  it('records the delivery as a webhook.deliver job that succeeded', async () => {
    const request = await receiver.request('/callbacks/succeeded');

    const delivery = await api.settled(String(request.headers['webhook-id']));

    expect(delivery).toMatchObject({ type: 'webhook.deliver', status: 'succeeded', result: { status: 204 } });
  });

  it('answers 400 for a callback URL that is not https and not on loopback', async () => {
    const res = await api.request('POST', '/jobs', { type: 'simulate', callbackUrl: 'http://example.com/hook' });

    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        details: [{ path: 'callbackUrl', message: expect.stringContaining('https') }],
      },
    });
  });

  it('keeps the secret across a restart and does not show it again', async () => {
    // Prepare
    await runtime.stop();
    const again = captureOutput();

    // Act
    runtime = await startFixtureRuntime({ output: again, stateDir, synth: 'never' });
    api = apiClient(runtime);
    const jobId = await api.submit({
      type: 'simulate',
      payload: {},
      callbackUrl: `${receiver.url}/callbacks/restarted`,
    });
    const request = await receiver.request('/callbacks/restarted');

    // Assess
    expect(again.lines.join('\n')).toMatch(/CallbacksSigningSecret\S*: as generated before/);
    expect(again.lines.join('\n')).not.toContain(secret);
    expect(
      new Webhook(`whsec_${secret}`).verify(request.body, request.headers as Record<string, string>),
    ).toMatchObject({
      jobId,
    });
  });
});
