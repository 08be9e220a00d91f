/**
 * The message move tasks patches/fauxqs+2.4.1.patch adds to fauxqs
 * (StartMessageMoveTask, ListMessageMoveTasks), driven through the AWS SDK as
 * the redrive in lambda/shared/redrive.ts drives them. These fail when the
 * patch stops applying.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterEach, describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../../../local/core/local-aws.js';
import { waitFor } from '../../../helpers/wait.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((stop) => stop()));
});

interface Queue {
  readonly url: string;
  readonly arn: string;
}

/** fauxqs on loopback, with a work queue whose messages go to a DLQ after one receive. */
async function setup() {
  const server: FauxqsServer = await startFauxqs({ port: 0, logger: false, host: '', bindAddress: '127.0.0.1' });
  const sqs = new SQSClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${server.port}`,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  cleanups.push(async () => {
    sqs.destroy();
    await server.stop();
  });
  const queue = async (name: string, attributes: Record<string, string> = {}): Promise<Queue> => {
    const { QueueUrl = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl, arn: out.Attributes?.QueueArn ?? '' };
  };
  const dlq = await queue('orders-dlq');
  const work = await queue('orders', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 1 }),
  });
  /** Sends a message to the work queue and receives it until its redrive policy moves it to the DLQ. */
  const deadLetter = async (body: string): Promise<void> => {
    await sqs.send(new SendMessageCommand({ QueueUrl: work.url, MessageBody: body }));
    for (let i = 0; i < 2; i++) {
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: work.url, VisibilityTimeout: 0, MaxNumberOfMessages: 10 }));
    }
  };
  const receiveAll = async (url: string) =>
    (
      await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          MessageSystemAttributeNames: ['All'],
        }),
      )
    ).Messages ?? [];
  const lastTask = async (source: Queue): Promise<ListMessageMoveTasksResultEntry | undefined> =>
    (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: source.arn }))).Results?.[0];
  const settled = (source: Queue) =>
    waitFor(
      () => lastTask(source),
      (t) => t !== undefined && t.Status !== 'RUNNING',
      { what: 'the move task to end', timeoutMs: 5_000 },
    );
  return { sqs, queue, dlq, work, deadLetter, receiveAll, lastTask, settled };
}

describe('fauxqs, as patched: message move tasks', () => {
  it('moves what the redrive policy dead-lettered back to its source queue, as new messages', async () => {
    // Prepare
    const { sqs, dlq, work, deadLetter, receiveAll, settled } = await setup();
    await deadLetter('a');
    await deadLetter('b');
    const inDlq = await receiveAll(dlq.url);
    // Act
    const started = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    const task = await settled(dlq);
    // Assess
    expect(inDlq.map((m) => m.Attributes?.DeadLetterQueueSourceArn)).toEqual([work.arn, work.arn]);
    expect(started.TaskHandle).toEqual(expect.any(String));
    expect(task).toMatchObject({
      Status: 'COMPLETED',
      SourceArn: dlq.arn,
      ApproximateNumberOfMessagesMoved: 2,
      ApproximateNumberOfMessagesToMove: 2,
    });
    expect(task?.TaskHandle).toBeUndefined();
    const back = await receiveAll(work.url);
    expect(back.map((m) => m.Body).sort()).toEqual(['a', 'b']);
    expect(back.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(['1', '1']);
    expect(back.map((m) => m.MessageId)).not.toContain(inDlq[0]?.MessageId);
    expect(await receiveAll(dlq.url)).toEqual([]);
  });

  it('moves messages sent to the DLQ directly when the task names a destination', async () => {
    // Prepare
    const { sqs, dlq, work, receiveAll, settled } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'parked by a worker' }));
    // Act
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: work.arn }));
    const task = await settled(dlq);
    // Assess
    expect(task).toMatchObject({ Status: 'COMPLETED', DestinationArn: work.arn, ApproximateNumberOfMessagesMoved: 1 });
    expect((await receiveAll(work.url)).map((m) => m.Body)).toEqual(['parked by a worker']);
  });

  it('fails with CouldNotDetermineMessageSource on a message sent directly, and leaves it in the DLQ', async () => {
    // Prepare
    const { sqs, dlq, receiveAll, settled } = await setup();
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: 'no source' }));
    // Act
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn }));
    const task = await settled(dlq);
    // Assess
    expect(task).toMatchObject({
      Status: 'FAILED',
      FailureReason: 'CouldNotDetermineMessageSource',
      ApproximateNumberOfMessagesMoved: 0,
    });
    expect((await receiveAll(dlq.url)).map((m) => m.Body)).toEqual(['no source']);
  });

  it('waits for a message a reader holds in flight, and moves it once it is visible again', async () => {
    // Prepare: a reader (the dashboard listing the DLQ) holds the message for a second.
    const { sqs, dlq, work, deadLetter, lastTask, receiveAll, settled } = await setup();
    await deadLetter('held');
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, VisibilityTimeout: 1 }));
    // Act
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: work.arn }));
    const waiting = await lastTask(dlq);
    const task = await settled(dlq);
    // Assess
    expect(waiting).toMatchObject({ Status: 'RUNNING', ApproximateNumberOfMessagesToMove: 1 });
    expect(task).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 1 });
    expect((await receiveAll(work.url)).map((m) => m.Body)).toEqual(['held']);
  });

  it('runs asynchronously at the rate asked for, and refuses a second task while one runs', async () => {
    // Prepare
    const { sqs, dlq, work, deadLetter, lastTask, settled } = await setup();
    for (const body of ['a', 'b', 'c', 'd']) await deadLetter(body);
    // Act
    const started = await sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 5 }),
    );
    const running = await lastTask(dlq);
    const second = sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.arn, DestinationArn: work.arn }));
    // Assess
    expect(running).toMatchObject({
      Status: 'RUNNING',
      TaskHandle: started.TaskHandle,
      MaxNumberOfMessagesPerSecond: 5,
      ApproximateNumberOfMessagesToMove: 4,
    });
    expect(running?.ApproximateNumberOfMessagesMoved).toBeLessThan(4);
    await expect(second).rejects.toMatchObject({ name: 'UnsupportedOperation', $fault: 'client' });
    expect(await settled(dlq)).toMatchObject({ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 4 });
  });

  it('refuses a source that is no dead-letter queue, an unknown queue and an impossible rate', async () => {
    // Prepare
    const { sqs, dlq, work } = await setup();
    const start = (input: ConstructorParameters<typeof StartMessageMoveTaskCommand>[0]) =>
      sqs.send(new StartMessageMoveTaskCommand(input));
    // Act
    const notDlq = start({ SourceArn: work.arn });
    const unknown = start({ SourceArn: `${dlq.arn}-nope` });
    const tooFast = start({ SourceArn: dlq.arn, MaxNumberOfMessagesPerSecond: 501 });
    // Assess
    await expect(notDlq).rejects.toMatchObject({ name: 'UnsupportedOperation' });
    await expect(unknown).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(tooFast).rejects.toMatchObject({ $fault: 'client' });
  });
});
