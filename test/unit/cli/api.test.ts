import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apiRejection, callApi, jobApi } from '../../../cli/api.js';
import { EXIT } from '../../../cli/errors.js';

describe('apiRejection', () => {
  it.each([
    { status: 400, code: 'VALIDATION_FAILED', exitCode: EXIT.REFUSED },
    { status: 409, code: 'IDEMPOTENCY_CONFLICT', exitCode: EXIT.REFUSED },
    { status: 413, code: 'PAYLOAD_TOO_LARGE', exitCode: EXIT.REFUSED },
    { status: 400, code: 'UNKNOWN_JOB_TYPE', exitCode: EXIT.NOT_FOUND },
    { status: 404, code: 'NOT_FOUND', exitCode: EXIT.NOT_FOUND },
    { status: 500, code: 'INTERNAL', exitCode: EXIT.ERROR },
    { status: 503, code: 'UNAVAILABLE', exitCode: EXIT.ERROR },
  ])('maps $status $code to exit $exitCode', ({ status, code, exitCode }) => {
    // Act
    const error = apiRejection(status, { error: { code, message: 'why' } }, 'The API rejected the job');

    // Assess
    expect(error.exitCode).toBe(exitCode);
    expect(error.message).toBe(`The API rejected the job (${status} ${code}): why`);
  });

  it('adds the details of a validation error on a line of their own', () => {
    // Act
    const error = apiRejection(
      400,
      { error: { code: 'VALIDATION_FAILED', message: 'Invalid payload', details: [{ path: ['nope'] }] } },
      'The API rejected the job',
    );

    // Assess
    expect(error.message).toBe(
      'The API rejected the job (400 VALIDATION_FAILED): Invalid payload\n  details: [{"path":["nope"]}]',
    );
  });

  it.each([
    {
      name: "API Gateway's own message",
      body: { message: 'Missing Authentication Token' },
      text: 'Missing Authentication Token',
    },
    { name: 'the status alone', body: {}, text: 'HTTP 502' },
  ])('falls back to $name when the body has no error object', ({ body, text }) => {
    // Act
    const error = apiRejection(502, body, 'Reading job j failed');

    // Assess
    expect(error.message).toBe(`Reading job j failed (502): ${text}`);
  });
});

describe('callApi', () => {
  let server: Server;
  let base: string;
  let reply: { status: number; body: string } = { status: 200, body: '{}' };
  const seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  beforeEach(() => {
    seen.length = 0;
    reply = { status: 200, body: '{}' };
  });

  it('sends JSON and returns the status and the parsed body, whatever the status', async () => {
    // Prepare
    reply = { status: 400, body: '{"error":{"code":"VALIDATION_FAILED"}}' };

    // Act
    const res = await callApi(jobApi(`${base}/v1`, 'none'), 'POST', '/jobs', { type: 'simulate' });

    // Assess
    expect(res).toEqual({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/v1/jobs',
      body: '{"type":"simulate"}',
      headers: { 'content-type': 'application/json' },
    });
  });

  it('keeps a body that is not JSON as its message', async () => {
    // Prepare
    reply = { status: 502, body: 'Bad Gateway' };

    // Act
    const res = await callApi(jobApi(base, 'none'), 'GET', '/jobs/j');

    // Assess
    expect(res).toEqual({ status: 502, body: { message: 'Bad Gateway' } });
    expect(seen[0]?.headers['content-type']).toBeUndefined();
  });

  it('signs the request with SigV4 for execute-api when given a signer', async () => {
    // Prepare
    const signer = { iam: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, region: 'us-east-1' };

    // Act
    await callApi(jobApi(`${base}/v1`, signer), 'GET', '/jobs/a%2Fb');

    // Assess
    expect(seen[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=host;/,
    );
    expect(seen[0]?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('sends the extra headers it is given, such as an API key', async () => {
    // Act
    await callApi(jobApi(base, { apiKey: 'k1' }), 'GET', '/jobs');

    // Assess
    expect(seen[0]?.headers['x-api-key']).toBe('k1');
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it('exits 4 on a 403, with the reason and a hint about IAM auth and --api-key', async () => {
    // Prepare
    reply = { status: 403, body: '{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke"}' };

    // Act
    const error = await callApi(jobApi(base, 'none'), 'GET', '/jobs').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.NO_PERMISSION,
      message: 'The job API refused the call (403): User: anonymous is not authorized to perform: execute-api:Invoke',
      hint: expect.stringMatching(/execute-api:Invoke.*--api-key/),
    });
  });

  it('exits 3 when nothing listens at the API', async () => {
    // Act
    const error = await callApi(jobApi('http://127.0.0.1:1', 'none'), 'GET', '/jobs').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.NO_TARGET,
      message: expect.stringMatching(/^The job API at http:\/\/127\.0\.0\.1:1 is not reachable: /),
    });
  });
});
