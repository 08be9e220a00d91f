import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { type LocalRuntime, PortInUseError, startLocal } from '../../local/index.js';
import apiSample from '../events/apigw-proxy-event.json' with { type: 'json' };
import sqsSample from '../events/sqs-event.json' with { type: 'json' };
import {
  INTEG_STACK,
  INTEG_WORKER_TIMEOUT_SECONDS,
  PROBE_TIMEOUT_SECONDS,
  PROBE_VISIBILITY_SECONDS,
} from './fixtures/app.js';
import type { ProbeCommand, ProbeRecording } from './fixtures/probe.js';
import { apiClient, captureOutput, queueRecorder, startFixtureRuntime, waitFor } from './helpers.js';

/** Every key path of a JSON value, e.g. `requestContext.identity.sourceIp`; arrays by their first element. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length ? keyPaths(value[0], `${prefix}[0]`) : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const p = prefix ? `${prefix}.${k}` : k;
    return [p, ...keyPaths(v, p)];
  });
}

/** Key paths of the documented sample that name its example data rather than the event's shape. */
const SAMPLE_DATA_KEYS =
  /^(headers|multiValueHeaders|queryStringParameters|multiValueQueryStringParameters|stageVariables|pathParameters)\./;

const output = captureOutput();
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;
let sqs: SQSClient;
let probe: ReturnType<typeof queueRecorder<ProbeRecording>>;
let probeInUrl: string;

beforeAll(async () => {
  runtime = await startFixtureRuntime({ output });
  api = apiClient(runtime);
  sqs = new SQSClient({
    region: runtime.region,
    endpoint: runtime.sqsEndpoint,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  const queueOf = (prefix: string) => {
    const q = runtime.plan().queues.find((x) => x.logicalId.startsWith(prefix));
    if (!q) throw new Error(`no ${prefix} queue in the integration stack`);
    return runtime.queueUrl(q.logicalId);
  };
  probeInUrl = queueOf('ProbeIn');
  probe = queueRecorder<ProbeRecording>(runtime, queueOf('ProbeOut'));
});

afterAll(async () => {
  await probe?.stop();
  sqs?.destroy();
  await runtime?.stop();
});

/** Sends probe commands in one SendMessageBatch, so they arrive together. */
async function sendProbe(commands: ProbeCommand[], attributes = false): Promise<string[]> {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: probeInUrl,
      Entries: commands.map((c, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify(c),
        ...(attributes
          ? {
              MessageAttributes: {
                text: { DataType: 'String', StringValue: 'hello' },
                bytes: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
              },
            }
          : {}),
      })),
    }),
  );
  return commands.map((_c, i) => out.Successful?.find((s) => s.Id === String(i))?.MessageId ?? '');
}

/** The records of test `test` the probe has received so far. */
function recordsOf(test: string): SQSRecord[] {
  return probe.items.flatMap((i) => i.event.Records.filter((r) => (JSON.parse(r.body) as ProbeCommand).test === test));
}

describe('jobs through the local API', () => {
  it('runs simulate jobs to succeeded', async () => {
    // Prepare
    const jobs = Array.from({ length: 5 }, () => ({ type: 'simulate', payload: { sleepMs: 20 } }));
    // Act
    const res = await api.request('POST', '/jobs/batch', { jobs });
    const ids = (res.body.results as { jobId: string }[]).map((r) => r.jobId);
    const settled = await Promise.all(ids.map((id) => api.settled(id)));
    // Assess
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(5);
    for (const job of settled) expect(job).toMatchObject({ status: 'succeeded', attempts: 1, result: { attempt: 1 } });
  });

  it('answers with a status URL under the stage path that works locally', async () => {
    const res = await api.request('POST', '/v1/jobs', { type: 'simulate', payload: {} });
    const statusUrl = res.body.statusUrl as string;
    expect(statusUrl).toBe(`${runtime.url}/v1/jobs/${res.body.jobId}`);
    const status = await fetch(statusUrl);
    expect(status.status).toBe(200);
  });

  it('succeeds a failTimes: 2 job on attempt 3', async () => {
    const jobId = await api.submit({ type: 'simulate', payload: { failTimes: 2 } });
    const job = await api.settled(jobId, 90_000);
    expect(job).toMatchObject({ status: 'succeeded', attempts: 3, result: { attempt: 3 } });
  });

  it('fails a fatal job after one attempt and parks its message in the DLQ', async () => {
    // Act
    const jobId = await api.submit({ type: 'simulate', payload: { fatal: true } });
    const job = await api.settled(jobId);
    // Assess
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    const dlq = runtime.queueUrl(`${INTEG_STACK}-simulate-dlq`);
    const parked = await waitFor(
      async () => {
        const out = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlq, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
        );
        return (out.Messages ?? []).filter((m) => (JSON.parse(m.Body ?? '{}') as { jobId?: string }).jobId === jobId);
      },
      (found) => found.length > 0,
      { what: 'the fatal job in the DLQ' },
    );
    expect(parked).toHaveLength(1);
  });

  it('retries a job that overruns the worker timeout', async () => {
    // Prepare: twice the worker's timeout, so every attempt overruns it.
    const sleepMs = INTEG_WORKER_TIMEOUT_SECONDS * 2000;
    // Act
    const jobId = await api.submit({ type: 'simulate', payload: { sleepMs } });
    const retried = await waitFor(
      () => api.job(jobId),
      (j) => j.attempts >= 2,
      { timeoutMs: 90_000, what: 'a second attempt' },
    );
    // Assess
    expect(retried.status).not.toBe('succeeded');
    expect(retried.attempts).toBeGreaterThanOrEqual(2);
  });
});

describe('the SQS event source', () => {
  it('stops an invocation at the function timeout and leaves its whole batch for retry', async () => {
    // Prepare
    const test = randomUUID();
    // Act
    const [spinId, bystanderId] = await sendProbe([{ test, spin: true }, { test }]);
    await waitFor(
      async () => recordsOf(test).filter((r) => r.attributes.ApproximateReceiveCount === '2'),
      (second) => second.length === 2,
      { what: 'both records received a second time' },
    );
    // Assess
    const first = recordsOf(test).filter((r) => r.attributes.ApproximateReceiveCount === '1');
    expect(first.map((r) => r.messageId).sort()).toEqual([spinId, bystanderId].sort());
    expect(
      output.lines.some((l) => l.includes(`Task timed out after ${PROBE_TIMEOUT_SECONDS.toFixed(2)} seconds`)),
    ).toBe(true);
  });

  it('retries only the records a partial batch response lists', async () => {
    // Prepare
    const test = randomUUID();
    // Act
    const ids = await sendProbe([{ test, failUntil: 1 }, { test }, { test, failUntil: 1 }, { test }]);
    const [failA, okA, failB, okB] = ids as [string, string, string, string];
    await waitFor(
      async () => recordsOf(test).filter((r) => r.attributes.ApproximateReceiveCount === '2'),
      (second) => second.length >= 2,
      { what: 'the failed records received again' },
    );
    // Two more visibility timeouts: long enough for a wrongly kept record to come back.
    await new Promise((r) => setTimeout(r, 2 * PROBE_VISIBILITY_SECONDS * 1000));
    // Assess
    const seen = recordsOf(test);
    const count = (id: string) => seen.filter((r) => r.messageId === id).length;
    expect(count(okA)).toBe(1);
    expect(count(okB)).toBe(1);
    expect(count(failA)).toBe(2);
    expect(count(failB)).toBe(2);
    const firstBatch = probe.items.find((i) => i.event.Records.some((r) => r.messageId === okA));
    expect(firstBatch?.event.Records.map((r) => r.messageId).sort()).toEqual([...ids].sort());
  });

  it('delivers records with every field of the documented SQS event, attributes in Lambda shape', async () => {
    // Prepare
    const test = randomUUID();
    const queue = runtime.plan().queues.find((q) => q.logicalId.startsWith('ProbeIn'));
    // Act
    const [id] = await sendProbe([{ test }], true);
    const [record] = await waitFor(
      async () => recordsOf(test),
      (r) => r.length === 1,
      { what: 'the record' },
    );
    // Assess
    const sampleRecord = sqsSample.Records[0] as object;
    for (const key of keyPaths(sampleRecord)) expect(keyPaths(record), key).toContain(key);
    expect(record).toMatchObject({
      messageId: id,
      body: JSON.stringify({ test }),
      eventSource: 'aws:sqs',
      eventSourceARN: queue?.arn,
      awsRegion: runtime.region,
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d{13}$/),
        SenderId: expect.any(String),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d{13}$/),
      },
      messageAttributes: {
        text: { stringValue: 'hello', stringListValues: [], binaryListValues: [], dataType: 'String' },
        bytes: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
    });
  });
});

describe('the REST API', () => {
  it('invokes the bound function with every field of the documented proxy event', async () => {
    // Act
    const res = await fetch(`${runtime.url}/v1/probe/a/b%20c?x=1&x=2&y=3`, {
      method: 'PUT',
      headers: { 'content-type': 'text/plain', 'x-multi': 'one' },
      body: 'hello',
    });
    const { event, context } = (await res.json()) as {
      event: Record<string, unknown>;
      context: Record<string, unknown>;
    };
    // Assess
    for (const key of keyPaths(apiSample).filter((k) => !SAMPLE_DATA_KEYS.test(k))) {
      expect(keyPaths(event), key).toContain(key);
    }
    expect(event).toMatchObject({
      resource: '/probe/{proxy+}',
      path: '/probe/a/b%20c',
      httpMethod: 'PUT',
      body: 'hello',
      isBase64Encoded: false,
      pathParameters: { proxy: 'a/b c' },
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      headers: { 'x-multi': 'one', 'X-Forwarded-Proto': 'http', host: runtime.url.replace('http://', '') },
      requestContext: {
        path: '/v1/probe/a/b%20c',
        stage: 'v1',
        resourcePath: '/probe/{proxy+}',
        httpMethod: 'PUT',
        protocol: 'HTTP/1.1',
        identity: { sourceIp: '127.0.0.1' },
      },
    });
    expect(context.remainingMs).toBeGreaterThan(0);
    expect(context.region).toBe(runtime.region);
  });

  it('returns the status, headers and multi-value headers the function set', async () => {
    const res = await fetch(`${runtime.url}/probe/x`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-probe')).toBe('api');
    expect(res.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('decodes a base64 response body to bytes', async () => {
    const res = await fetch(`${runtime.url}/probe/binary`);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0, 1, 2, 254, 255]);
  });

  it.each(['/v1/jobs/%', '/jobs/%E0%A4%A/cancel', '/v1/probe/a/%zz'])(
    'answers %s, whose percent-escape does not decode, 400 with the JSON error body, as API Gateway does',
    async (path) => {
      // Act
      const res = await fetch(`${runtime.url}${path}`, { method: path.endsWith('cancel') ? 'POST' : 'GET' });
      // Assess
      expect(res.status).toBe(400);
      expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(await res.json()).toEqual({
        error: { code: 'DEFAULT_4XX', message: 'Bad Request', requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
      });
    },
  );

  it('says at start-up that IAM authorization is not checked locally', () => {
    expect(output.lines.some((l) => /AWS_IAM authorization on AWS; it is NOT checked locally/.test(l))).toBe(true);
  });
});

describe('start-up', () => {
  it('rejects a taken port with a message that says what to do', async () => {
    // Prepare
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    // Act
    const started = startLocal({ port, output: captureOutput() });
    // Assess
    await expect(started).rejects.toBeInstanceOf(PortInUseError);
    await expect(started).rejects.toThrow(/already in use.*PORT=/);
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});
