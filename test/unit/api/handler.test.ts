import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { apiEvent, lambdaContext } from '../../helpers/events.js';

const ENV = {
  JOB_TABLE_NAME: 'jobs-table',
  QUEUE_URL_SIMULATE: 'https://sqs.us-east-1.amazonaws.com/123456789012/simulate',
  QUEUE_URL_WEBHOOK_DELIVER: 'https://sqs.us-east-1.amazonaws.com/123456789012/webhook',
  QUEUE_URL_IMAGE_THUMBNAIL: 'https://sqs.us-east-1.amazonaws.com/123456789012/image-thumbnail',
  JOB_BUCKET_NAME: 'qw-files',
};

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);

async function loadHandler() {
  vi.resetModules();
  return (await import('../../../lambda/api/handler.js')).handler;
}

describe('API handler', () => {
  beforeEach(() => {
    ddb.reset();
    sqs.reset();
    for (const [k, v] of Object.entries(ENV)) vi.stubEnv(k, v);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('sends the job to its type queue, then records it in the configured table with a conditional put', async () => {
    // Prepare
    const order: string[] = [];
    ddb.on(PutCommand).callsFake(() => {
      order.push('record');
      return {};
    });
    sqs.on(SendMessageBatchCommand).callsFake(() => {
      order.push('send');
      return { Successful: [], Failed: [] };
    });
    const handler = await loadHandler();
    // Act
    const res = await handler(
      apiEvent({
        method: 'POST',
        resource: '/jobs',
        path: '/jobs',
        body: { type: 'simulate', payload: { sleepMs: 1 } },
      }),
      lambdaContext(),
    );
    // Assess
    expect(res.statusCode).toBe(202);
    const { jobId } = JSON.parse(res.body);
    expect(order).toEqual(['send', 'record']);
    const write = ddb.commandCalls(PutCommand)[0]?.args[0].input;
    expect(write).toMatchObject({
      TableName: 'jobs-table',
      Item: { jobId, status: 'queued' },
      ConditionExpression: 'attribute_not_exists(jobId)',
    });
    const send = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input;
    expect(send?.QueueUrl).toBe(ENV.QUEUE_URL_SIMULATE);
    expect(send?.Entries?.[0]).toMatchObject({
      Id: jobId,
      MessageAttributes: { jobId: { DataType: 'String', StringValue: jobId } },
    });
    // The message carries what the record holds, for a worker that finds no record.
    expect(JSON.parse(send?.Entries?.[0]?.MessageBody ?? '')).toMatchObject({
      jobId,
      requestHash: write?.Item?.requestHash,
      createdAt: write?.Item?.createdAt,
    });
  });

  it('retries entries SendMessageBatch reports as failed before answering', async () => {
    ddb.on(PutCommand).resolves({});
    let calls = 0;
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => {
      calls += 1;
      const first = input.Entries[0]?.Id ?? '';
      return calls === 1
        ? { Successful: [], Failed: [{ Id: first, Code: 'InternalError', SenderFault: false }] }
        : { Successful: [{ Id: first }], Failed: [] };
    });
    const handler = await loadHandler();
    const res = await handler(
      apiEvent({ method: 'POST', resource: '/jobs', path: '/jobs', body: { type: 'simulate' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(202);
    expect(calls).toBe(2);
  });

  it('reads a job eventually consistently, and a miss again consistently before answering 404', async () => {
    ddb.on(GetCommand).resolves({});
    const handler = await loadHandler();
    const res = await handler(
      apiEvent({ method: 'GET', resource: '/jobs/{jobId}', path: '/jobs/abc', pathParameters: { jobId: 'abc' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(404);
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({ TableName: 'jobs-table', Key: { jobId: 'abc' }, ConsistentRead: false }),
      expect.objectContaining({ TableName: 'jobs-table', Key: { jobId: 'abc' }, ConsistentRead: true }),
    ]);
  });

  it('reads a job strongly consistently, once, when asked with ?consistent=true', async () => {
    ddb.on(GetCommand).resolves({ Item: { jobId: 'abc', type: 'simulate', status: 'queued', attempts: 0 } });
    const handler = await loadHandler();
    const res = await handler(
      apiEvent({
        method: 'GET',
        resource: '/jobs/{jobId}',
        path: '/jobs/abc',
        pathParameters: { jobId: 'abc' },
        query: { consistent: 'true' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(200);
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input.ConsistentRead)).toEqual([true]);
  });

  it('answers 400 naming consistent when it is neither true nor false, and reads nothing', async () => {
    const handler = await loadHandler();
    const res = await handler(
      apiEvent({
        method: 'GET',
        resource: '/jobs/{jobId}',
        path: '/jobs/abc',
        pathParameters: { jobId: 'abc' },
        query: { consistent: 'yes' },
      }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error: { code: 'VALIDATION_ERROR', details: [{ path: 'consistent' }] },
    });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('answers 503, not 500, when DynamoDB is down, logs the cause, and queues no keyed job', async () => {
    ddb.on(GetCommand).rejects(new Error('connect ECONNREFUSED'));
    // Powertools writes its JSON lines to stdout and stderr (errors), unless POWERTOOLS_DEV is set.
    vi.stubEnv('POWERTOOLS_DEV', '');
    const log = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const handler = await loadHandler();
    const res = await handler(
      apiEvent({
        method: 'POST',
        resource: '/jobs',
        path: '/jobs',
        body: { type: 'simulate', idempotencyKey: 'order-1' },
      }),
      lambdaContext(),
    );
    const lines = log.mock.calls.map(([chunk]) => String(chunk)).filter((l) => l.startsWith('{'));
    log.mockRestore();
    expect(res.statusCode).toBe(503);
    expect(res.body).not.toContain('ECONNREFUSED');
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
    // The cause is in the function's log, with the request's id, never in the answer.
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'request failed',
        function: 'api',
        function_request_id: expect.any(String),
        cause: 'connect ECONNREFUSED',
      }),
    );
  });

  it('fails at cold start naming every missing variable', async () => {
    vi.stubEnv('JOB_TABLE_NAME', '');
    vi.stubEnv('QUEUE_URL_WEBHOOK_DELIVER', '');
    await expect(loadHandler()).rejects.toThrow(/missing JOB_TABLE_NAME, QUEUE_URL_WEBHOOK_DELIVER/);
  });
});
