import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookDeliverJob } from '../../../lambda/jobs/webhook-deliver.js';
import { NonRetryableError, RetryableError } from '../../../lambda/shared/errors.js';
import * as z from '../../../lambda/shared/zod.js';
import { jobContext } from '../../helpers/job-context.js';
import { webhookSettings } from '../../helpers/webhook-settings.js';

/** As under npm start: the receivers below are on loopback. The guard and signing have their own file. */
const webhookDeliver = webhookDeliverJob({ settings: webhookSettings({ allowPrivateNetworks: true }) });

/** A real HTTP receiver whose answer is chosen by the request path: /status/503, /slow. */
let server: Server;
let base: string;
const received: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2_000).unref();
        return;
      }
      const status = Number(req.url?.match(/^\/status\/(\d+)/)?.[1] ?? 200);
      res.writeHead(status).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('webhook.deliver job', () => {
  it('POSTs the JSON body with the job id as Idempotency-Key and succeeds on 2xx', async () => {
    // Act
    const result = await webhookDeliver.handler(
      { url: `${base}/status/204`, body: { order: 42 }, headers: { 'x-signature': 'abc' } },
      jobContext({ jobId: 'job-77' }),
    );
    // Assess
    expect(result.status).toBe(204);
    const req = received.at(-1);
    expect(JSON.parse(req?.body ?? '')).toEqual({ order: 42 });
    expect(req?.headers['idempotency-key']).toBe('job-77');
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['x-signature']).toBe('abc');
  });

  it.each([500, 503, 429, 408])('fails retryably on %i', async (status) => {
    await expect(
      webhookDeliver.handler({ url: `${base}/status/${status}`, body: {} }, jobContext()),
    ).rejects.toBeInstanceOf(RetryableError);
  });

  it.each([400, 404, 410])('fails non-retryably on %i', async (status) => {
    await expect(
      webhookDeliver.handler({ url: `${base}/status/${status}`, body: {} }, jobContext()),
    ).rejects.toBeInstanceOf(NonRetryableError);
  });

  it('fails retryably when the receiver is slower than the timeout', async () => {
    await expect(
      webhookDeliver.handler({ url: `${base}/slow`, body: {}, timeoutMs: 200 }, jobContext()),
    ).rejects.toThrow(/timed out after 200 ms/);
  });

  it('fails retryably when nothing listens at the URL', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(webhookDeliver.handler({ url: `http://127.0.0.1:${port}/`, body: {} }, jobContext())).rejects.toThrow(
      /network error/,
    );
  });

  it.each([
    [{ url: 'ftp://example.com', body: {} }, 'url'],
    [{ url: 'https://example.com' }, 'body'],
    [{ url: 'https://example.com', body: {}, headers: { 'bad header': 'x' } }, 'headers'],
  ])('rejects the payload %j at %s', (payload, field) => {
    const parsed = z.safeParse(webhookDeliver.payload, payload);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path[0])).toContain(field);
  });
});
