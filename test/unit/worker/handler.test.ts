import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import sample from '../../events/sqs-event.json' with { type: 'json' };
import { jobRecord, lambdaContext, sqsEvent } from '../../helpers/events.js';

const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
const events = mockClient(EventBridgeClient);
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let stdout: MockInstance<typeof process.stdout.write>;
let stderr: MockInstance<typeof process.stderr.write>;

/** Every JSON line the function wrote to stdout or stderr (where Powertools puts warnings and errors). */
function jsonLines(): Record<string, unknown>[] {
  return [...stdout.mock.calls, ...stderr.mock.calls]
    .map((c) => String(c[0]))
    .flatMap((chunk) => chunk.split('\n'))
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeAll(async () => {
  vi.stubEnv('JOB_TYPE', 'simulate');
  vi.stubEnv('QUEUE_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/qw-simulate');
  vi.stubEnv('DLQ_URL', 'https://sqs.us-east-1.amazonaws.com/123456789012/qw-simulate-dlq');
  vi.stubEnv('JOB_TABLE_NAME', 'jobs');
  vi.stubEnv('JOB_BUCKET_NAME', 'qw-files');
  vi.stubEnv('JOB_RETENTION_DAYS', '7');
  vi.stubEnv('JOB_EVENT_BUS_NAME', 'qw-jobs');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test');
  vi.stubEnv('POWERTOOLS_DEV', '');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  ({ handler } = await import('../../../lambda/worker/handler.js'));
});
afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  sqs.reset();
  ddb.reset();
  events.reset();
  events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
  sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  ddb.on(UpdateCommand).resolves({});
  // No record yet: the worker reads the job before it runs it.
  ddb.on(GetCommand).resolves({});
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  stderr.mockRestore();
});

describe('worker handler', () => {
  it('accepts the documented AWS sample event and sends its non-JSON body to the DLQ', async () => {
    // Prepare: AWS's own sample record, whose body is the string "test"
    const event = sample as unknown as SQSEvent;

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.MessageBody).toBe('test');
    expect(sent?.QueueUrl).toBe('https://sqs.us-east-1.amazonaws.com/123456789012/qw-simulate-dlq');
  });

  it('reports only failed records, reads before it runs and writes conditional status updates, and backs off with ChangeMessageVisibility', async () => {
    // Prepare
    const ok = jobRecord('j-ok', 'simulate', {}, { receiveCount: 1 });
    const retry = jobRecord('j-retry', 'simulate', { failTimes: 2 }, { receiveCount: 1 });
    const fatal = jobRecord('j-fatal', 'simulate', { fatal: true }, { receiveCount: 1 });
    const badSchema = jobRecord('j-bad', 'simulate', { sleepMs: 'soon' }, { receiveCount: 1 });

    // Act
    const response = await handler(sqsEvent([ok, retry, fatal, badSchema]), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: retry.messageId }]);
    const updates = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(updates.every((u) => u.TableName === 'jobs' && typeof u.ConditionExpression === 'string')).toBe(true);
    const statuses = updates.map((u) => [u.Key?.jobId, u.ExpressionAttributeValues?.[':to']]);
    // A short first attempt is not marked running: one read, one write when it ends (see markRunningAfterSeconds).
    expect(statuses).not.toContainEqual(['j-ok', 'running']);
    expect(ddb.commandCalls(GetCommand).map((c) => c.args[0].input)).toContainEqual(
      expect.objectContaining({ TableName: 'jobs', Key: { jobId: 'j-ok' }, ConsistentRead: true }),
    );
    expect(statuses).toEqual(
      expect.arrayContaining([
        ['j-ok', 'succeeded'],
        ['j-retry', 'retrying'],
        ['j-fatal', 'failed'],
        ['j-bad', 'failed'],
      ]),
    );
    const entries = sqs.commandCalls(ChangeMessageVisibilityBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.ReceiptHandle).toBe(retry.receiptHandle);
    // simulate's policy: base 1 s, so the first retry waits exactly 1 s.
    expect(entries[0]?.VisibilityTimeout).toBe(1);
    expect(
      sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageAttributes?.jobId?.StringValue),
    ).toEqual(expect.arrayContaining(['j-fatal', 'j-bad']));
  });

  it('acknowledges a duplicate whose conditional write is refused, without running it again', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    // The last attempt is marked running before it runs: that conditional write is the one refused.
    const duplicate = jobRecord('j-done', 'simulate', { failTimes: 10 }, { receiveCount: 3 });

    const response = await handler(sqsEvent([duplicate]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(0);
  });

  it('acknowledges a delivery of a job that finished already after one read, without running it or writing', async () => {
    ddb.on(GetCommand).resolves({ Item: { jobId: 'j-done', type: 'simulate', status: 'succeeded', attempts: 1 } });
    const late = jobRecord('j-done', 'simulate', { failTimes: 10 }, { receiveCount: 2 });

    const response = await handler(sqsEvent([late]), lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('reports every record, not an invocation error, when DynamoDB is down', async () => {
    ddb.on(UpdateCommand).rejects(new Error('ServiceUnavailable'));
    ddb.on(GetCommand).rejects(new Error('ServiceUnavailable'));
    const records = [jobRecord('a', 'simulate', {}), jobRecord('b', 'simulate', {})];

    const response = await handler(sqsEvent(records), lambdaContext());

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
  });

  it('logs structured JSON with jobId, type and attempt, and publishes EMF metrics per type', async () => {
    const ok = jobRecord('j-ok', 'simulate', {}, { receiveCount: 1 });
    const retry = jobRecord('j-retry', 'simulate', { failTimes: 5 }, { receiveCount: 2 });
    const fatal = jobRecord('j-fatal', 'simulate', { fatal: true }, { receiveCount: 1 });

    await handler(sqsEvent([ok, retry, fatal]), lambdaContext());

    const lines = jsonLines();
    const jobLines = lines.filter((l) => l.jobId !== undefined);
    // At the default level a job that went well is counted in the batch's line, not logged on its own.
    expect(jobLines.find((l) => l.jobId === 'j-ok')).toBeUndefined();
    expect(lines.find((l) => l.message === 'batch processed')).toMatchObject({
      level: 'INFO',
      type: 'simulate',
      records: 3,
      succeeded: 1,
      retried: 1,
      failed: 1,
      service: 'queue-workers',
    });
    // The request id ties the line to its invocation; the function's name and ARN are the log group's already.
    const summary = lines.find((l) => l.message === 'batch processed');
    expect(summary).toHaveProperty('function_request_id');
    expect(summary).not.toHaveProperty('function_arn');
    expect(jobLines.find((l) => l.jobId === 'j-retry')).toMatchObject({ level: 'WARN', type: 'simulate', attempt: 2 });
    expect(jobLines.find((l) => l.jobId === 'j-fatal')).toMatchObject({
      level: 'ERROR',
      error: { code: 'NON_RETRYABLE' },
    });
    const emf = lines.find((l) => l._aws !== undefined) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
      };
    };
    expect(emf).toBeDefined();
    const directive = emf._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('QueueWorkers');
    expect(directive?.Dimensions[0]).toContain('type');
    expect(emf.type).toBe('simulate');
    expect(directive?.Metrics.map((m) => m.Name).sort()).toEqual(['duration', 'failed', 'retried', 'succeeded']);
    expect([emf.succeeded, emf.retried, emf.failed]).toEqual([1, 1, 1]);
    // One duration per job that ran: the fatal one ran too.
    expect(emf.duration).toHaveLength(3);
  });

  it('announces each finished job on the configured bus, and counts events EventBridge refused in the batch line', async () => {
    // Prepare
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    const ok = jobRecord('j-ok', 'simulate', {}, { receiveCount: 1 });
    const fatal = jobRecord('j-fatal', 'simulate', { fatal: true }, { receiveCount: 1 });

    // Act
    const response = await handler(sqsEvent([ok, fatal]), lambdaContext());

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const entries = events.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => [e.EventBusName, e.Source, e.DetailType]).sort()).toEqual([
      ['qw-jobs', 'queue-workers', 'Job Failed'],
      ['qw-jobs', 'queue-workers', 'Job Succeeded'],
    ]);
    const emf = jsonLines().find((l) => l._aws !== undefined);
    // One value per event not published; CloudWatch sums them.
    expect(emf?.eventsNotPublished).toEqual([1, 1]);
  });
});
