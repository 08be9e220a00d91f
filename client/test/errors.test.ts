import { type AddressInfo, createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobClient, JobApiError } from '../src/index.js';
import { type FakeApi, startFakeApi, view } from './support/api-server.js';

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi();
});

afterAll(() => api.close());

beforeEach(() => {
  api.received.length = 0;
});

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const client = () => createJobClient({ url: api.url, auth: 'none', retry: false });

/** What a failed call rejected with. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => error,
  );

describe('JobApiError', () => {
  it("carries the API's code, message and details, with the status and the x-amzn-RequestId header", async () => {
    // Prepare
    const details = [{ path: 'payload.sleepMs', message: 'Invalid input: expected number, received string' }];
    api.answer(() => ({
      status: 400,
      body: { error: { code: 'VALIDATION_ERROR', message: 'The payload does not match the schema.', details } },
      headers: { 'x-amzn-RequestId': 'req-123' },
    }));

    // Act
    const error = await failure(client().submit('simulate', { sleepMs: 'soon' }));

    // Assess
    expect(error).toBeInstanceOf(JobApiError);
    expect(error).toMatchObject({
      name: 'JobApiError',
      code: 'VALIDATION_ERROR',
      message: 'The payload does not match the schema.',
      status: 400,
      details,
      requestId: 'req-123',
      retryable: false,
    });
  });

  it("takes the request id from an API Gateway response's body (ACCESS_DENIED, THROTTLED)", async () => {
    // Prepare: the body lib/job-api.ts's gateway responses send.
    api.answer(() => ({
      status: 403,
      body: { error: { code: 'ACCESS_DENIED', message: 'User is not authorized', requestId: 'gw-1' } },
    }));

    // Act
    const error = await failure(client().get('job-1'));

    // Assess
    expect(error).toMatchObject({ code: 'ACCESS_DENIED', status: 403, requestId: 'gw-1', details: undefined });
  });

  it.each([
    {
      name: "API Gateway's own { message }",
      body: { message: 'Missing Authentication Token' },
      message: 'Missing Authentication Token',
    },
    {
      name: 'an IAM { Message }',
      body: { Message: 'User: anonymous is not authorized' },
      message: 'User: anonymous is not authorized',
    },
    { name: 'a text body', body: 'Bad Gateway', message: 'Bad Gateway' },
    { name: 'an empty body', body: '', message: 'HTTP 403' },
  ])('names a body in another shape ($name) HTTP_<status>, with its text as the message', async ({ body, message }) => {
    // Prepare
    api.answer(() => ({ status: 403, body }));

    // Act
    const error = await failure(client().get('job-1'));

    // Assess
    expect(error).toMatchObject({ code: 'HTTP_403', status: 403, message, body: body === '' ? undefined : body });
  });

  it('is NETWORK_ERROR without a status when nothing listens, naming the origin and the cause', async () => {
    // Prepare
    const port = await closedPort();
    const unreachable = createJobClient({ url: `http://127.0.0.1:${port}/v1`, auth: 'none', retry: false });

    // Act
    const error = await failure(unreachable.get('job-1'));

    // Assess
    expect(error).toMatchObject({
      code: 'NETWORK_ERROR',
      status: undefined,
      retryable: true,
      message: `GET /jobs/job-1: http://127.0.0.1:${port} is not reachable (fetch failed: ECONNREFUSED)`,
    });
  });

  it('is TIMEOUT when no answer comes within timeoutMs', async () => {
    // Prepare
    api.answer(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return { status: 200, body: view() };
    });
    const slow = createJobClient({ url: api.url, auth: 'none', retry: false, timeoutMs: 50 });

    // Act
    const error = await failure(slow.get('job-1'));

    // Assess
    expect(error).toMatchObject({ code: 'TIMEOUT', status: undefined, retryable: true });
  });

  it('is INVALID_RESPONSE for a success without the JSON the API sends', async () => {
    // Prepare
    api.answer(() => ({ status: 200, body: '<html>captive portal</html>' }));

    // Act
    const error = await failure(client().get('job-1'));

    // Assess
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', status: 200 });
  });

  it('is TYPE_MISMATCH when get(type, jobId) finds a job of another type', async () => {
    // Prepare
    api.answer(() => ({ status: 200, body: view({ type: 'webhook.deliver' }) }));

    // Act
    const error = await failure(client().get('simulate', 'job-1'));

    // Assess
    expect(error).toMatchObject({
      code: 'TYPE_MISMATCH',
      message: 'Job job-1 is a webhook.deliver job, not simulate.',
      details: { jobId: 'job-1', type: 'webhook.deliver', expected: 'simulate' },
    });
  });
});
