/**
 * `@queue-workers/client` in a real browser: bundled for the browser as a web
 * app's bundler would, loaded by headless Chromium from a page served by a
 * stand-in for the API (same origin: the API answers no CORS preflight yet),
 * and asked to submit a job with SigV4 and wait for it.
 */
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApi, startFakeApi, view } from '../../client/test/support/api-server.js';
import { smithyAuthorization } from '../../client/test/support/smithy.js';
import { launchBrowser } from '../helpers/browser.js';

const CREDENTIALS = { accessKeyId: 'AKIDBROWSER', secretAccessKey: 'browser-secret', sessionToken: 'cognito-token' };

let browser: Browser;
let api: FakeApi;
let bundle: string;

beforeAll(async () => {
  const built = await build({
    entryPoints: ['client/src/index.ts'],
    bundle: true,
    minify: true,
    format: 'iife',
    globalName: 'QueueWorkersClient',
    platform: 'browser',
    target: 'es2022',
    write: false,
  });
  bundle = built.outputFiles[0]?.text ?? '';
  api = await startFakeApi();
  api.answer((request) => {
    if (request.url === '/') {
      const page = '<!doctype html><script src="/client.js"></script>';
      return { status: 200, body: page, headers: { 'content-type': 'text/html' } };
    }
    if (request.url === '/client.js')
      return { status: 200, body: bundle, headers: { 'content-type': 'text/javascript' } };
    if (request.method === 'POST') {
      return { status: 202, body: { jobId: 'job-1', type: 'simulate', status: 'queued', statusUrl: 'u' } };
    }
    return { status: 200, body: view({ status: 'succeeded', attempts: 1, result: { attempt: 1 } }) };
  });
  ({ browser } = await launchBrowser());
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe('@queue-workers/client in Chromium', () => {
  it('submits a job signed with SigV4 on WebCrypto, as the AWS SDK would sign it, and waits for it', async () => {
    // Prepare
    const page = await browser.newPage();
    await page.goto(api.url);
    await page.waitForFunction(() => 'QueueWorkersClient' in globalThis);

    // Act: in the page, with what the bundle put on the window.
    const outcome = await page.evaluate(
      async ({ url, credentials }) => {
        const { createJobClient } = (
          globalThis as unknown as { QueueWorkersClient: typeof import('@queue-workers/client') }
        ).QueueWorkersClient;
        const jobs = createJobClient({ url, auth: { iam: async () => credentials, region: 'eu-west-1' } });
        const accepted = await jobs.submit('simulate', { sleepMs: 1 });
        const done = await jobs.waitFor(accepted, { pollIntervalMs: 10 });
        return { jobId: accepted.jobId, status: done.status };
      },
      { url: api.url, credentials: CREDENTIALS },
    );

    // Assess
    expect(outcome).toEqual({ jobId: 'job-1', status: 'succeeded' });
    const submitted = api.received.find((r) => r.method === 'POST');
    if (!submitted) throw new Error('the page submitted nothing');
    expect(submitted.headers.authorization).toBe(
      await smithyAuthorization(submitted, CREDENTIALS, 'eu-west-1', api.url),
    );
    expect(submitted.headers['x-amz-security-token']).toBe('cognito-token');
    expect(JSON.parse(submitted.body)).toMatchObject({ type: 'simulate', idempotencyKey: expect.any(String) });
  });
});
