import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RedriveRefusedError, RedriveUnsupportedError } from '../../../lambda/shared/errors.js';
import { type DeadLetterTarget, redrive, sourceQueueArn } from '../../../lambda/shared/redrive.js';
import { MemoryJobStore } from '../../helpers/memory-store.js';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
const target: DeadLetterTarget = {
  type: 'simulate',
  maxAttempts: 3,
  dlqUrl: 'https://sqs.local/dlq',
  dlqArn: 'arn:aws:sqs:us-east-1:1:dlq',
  queueUrl: 'https://sqs.local/q',
};
const dead = (jobId: string, i: number) => ({
  MessageId: `m${i}`,
  ReceiptHandle: `rh${i}`,
  Body: JSON.stringify({ jobId, type: 'simulate', payload: {}, createdAt: 'c' }),
  MessageAttributes: { jobId: { DataType: 'String', StringValue: jobId } },
});

function failedJobs(...ids: string[]): MemoryJobStore {
  const store = new MemoryJobStore();
  for (const jobId of ids) {
    store.records.set(jobId, {
      jobId,
      type: 'simulate',
      status: 'failed',
      attempts: 3,
      maxAttempts: 3,
      createdAt: 'c',
      updatedAt: 'u',
      error: { code: 'E', message: 'boom' },
      expiresAt: 1,
    });
  }
  return store;
}

const err = (name: string) => new SQSServiceException({ name, message: `${name}!`, $fault: 'client', $metadata: {} });

describe('redrive', () => {
  beforeEach(() => {
    sqs.reset();
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
  });

  it('sets the dead-lettered jobs back to queued, releases what it read, then starts a move task', async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [dead('a', 1), dead('b', 2)] })
      .resolves({ Messages: [] });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task' });
    const store = failedJobs('a', 'b');
    // Act
    const result = await redrive({ sqs: client, store }, target, { maxPerSecond: 5 });
    // Assess
    expect(result).toEqual({ method: 'StartMessageMoveTask', taskHandle: 'task', requeued: 2 });
    expect(store.records.get('a')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(store.records.get('a')?.expiresAt).toBeUndefined();
    const released = sqs
      .commandCalls(ChangeMessageVisibilityBatchCommand)
      .flatMap((c) => c.args[0].input.Entries ?? []);
    expect(released.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([
      ['rh1', 0],
      ['rh2', 0],
    ]);
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]?.args[0].input).toEqual({
      SourceArn: target.dlqArn,
      DestinationArn: 'arn:aws:sqs:us-east-1:1:q',
      MaxNumberOfMessagesPerSecond: 5,
    });
  });

  it("names the job type's queue as the destination, so messages the worker dead-lettered itself move too", () => {
    // Prepare: SQS fails a move without a destination on a message sent to the DLQ directly.
    const deployed = {
      dlqArn: 'arn:aws-cn:sqs:cn-north-1:123456789012:QueueWorkers-simulate-dlq',
      queueUrl: 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/QueueWorkers-simulate',
    };
    // Act
    const arn = sourceQueueArn(deployed);
    // Assess
    expect(arn).toBe('arn:aws-cn:sqs:cn-north-1:123456789012:QueueWorkers-simulate');
  });

  it('reports a move SQS refuses (one already running) as a refusal, and leaves the jobs failed as they were', async () => {
    // Prepare
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [dead('a', 1)] })
      .resolves({ Messages: [] });
    sqs.on(StartMessageMoveTaskCommand).rejects(err('UnsupportedOperation'));
    const store = failedJobs('a');
    // Act
    const run = redrive({ sqs: client, store }, target);
    // Assess
    await expect(run).rejects.toBeInstanceOf(RedriveRefusedError);
    expect(store.records.get('a')).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'E', message: 'boom' },
      expiresAt: expect.any(Number),
    });
  });

  it('refuses to move by hand on an endpoint without move tasks unless allowed', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    sqs.on(StartMessageMoveTaskCommand).rejects(err('InvalidAction'));
    await expect(redrive({ sqs: client, store: failedJobs() }, target)).rejects.toBeInstanceOf(RedriveUnsupportedError);
  });

  it('moves by hand (receive, send, delete) where allowed and move tasks are missing', async () => {
    // Prepare: the peek sees one message; the hand move then receives it and finds the DLQ empty
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [dead('a', 1)] })
      .resolvesOnce({ Messages: [] })
      .resolvesOnce({ Messages: [dead('a', 1)] })
      .resolves({ Messages: [] });
    sqs.on(StartMessageMoveTaskCommand).rejects(err('InvalidAction'));
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'n', MD5OfMessageBody: 'x' }], Failed: [] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });
    // Act
    const result = await redrive({ sqs: client, store: failedJobs('a') }, target, { allowManual: true });
    // Assess
    expect(result).toEqual({ method: 'manual', requeued: 1, moved: 1 });
    const sent = sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe(target.queueUrl);
    expect(sent?.Entries?.[0]?.MessageBody).toContain('"jobId":"a"');
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]?.args[0].input.QueueUrl).toBe(target.dlqUrl);
  });

  it('moves by hand only what the DLQ held at the start, not a job that failed again meanwhile', async () => {
    // Prepare: one message at the start; the DLQ keeps answering with a job that keeps failing
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [] })
      .resolves({ Messages: [dead('a', 1)] });
    sqs.on(StartMessageMoveTaskCommand).rejects(err('InvalidAction'));
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1' } });
    sqs
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: '0', MessageId: 'n', MD5OfMessageBody: 'x' }], Failed: [] });
    sqs.on(DeleteMessageBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });
    // Act
    const result = await redrive({ sqs: client, store: failedJobs('a') }, target, { allowManual: true });
    // Assess
    expect(result.moved).toBe(1);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});
