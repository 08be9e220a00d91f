/**
 * Messages survive a restart of the persisted emulators, including after a
 * ChangeMessageVisibility to 0 (fauxqs 2.4.1 wrote NULL into a NOT NULL column
 * there and dropped the message), and their URLs follow the new port (patches/fauxqs+2.4.1.patch).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import type { QueueDef } from '../../local/core/plan.js';
import { type Emulators, startEmulators } from '../../local/index.js';
import { listDeadLetters } from '../../ops/dead-letters.js';

const region = 'us-east-1';
const arn = (name: string) => `arn:aws:sqs:${region}:000000000000:${name}`;
const queues: QueueDef[] = [
  { logicalId: 'Work', name: 'work', arn: arn('work'), fifo: false, attributes: { VisibilityTimeout: '30' } },
  { logicalId: 'Dlq', name: 'flaky-dlq', arn: arn('flaky-dlq'), fifo: false, attributes: {} },
  {
    logicalId: 'Flaky',
    name: 'flaky',
    arn: arn('flaky'),
    fifo: false,
    deadLetterQueue: 'Dlq',
    maxReceiveCount: 1,
    attributes: {
      VisibilityTimeout: '30',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn('flaky-dlq'), maxReceiveCount: 1 }),
    },
  },
];

const dirs: string[] = [];
const running: Emulators[] = [];

async function start(dataDir: string): Promise<Emulators> {
  const emulators = await startEmulators({ region, dataDir });
  running.push(emulators);
  await emulators.ensureQueues(queues);
  return emulators;
}

async function stop(emulators: Emulators): Promise<void> {
  running.splice(running.indexOf(emulators), 1);
  await emulators.stop();
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Receives one message and makes it visible again at once, as a worker giving a job back does. */
async function receiveAndRelease(sqs: SQSClient, queueUrl: string): Promise<string | undefined> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }));
  const [message] = out.Messages ?? [];
  if (!message) return undefined;
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: message.ReceiptHandle,
      VisibilityTimeout: 0,
    }),
  );
  return message.MessageId;
}

/** A queue's messages as fauxqs holds them, read without receiving them. */
async function inspect(emulators: Emulators, queueName: string) {
  const res = await fetch(`${emulators.sqsEndpoint}/_fauxqs/queues/${queueName}`);
  const body = (await res.json()) as {
    messages: { ready: { messageId: string; approximateReceiveCount: number }[]; inflight: unknown[] };
  };
  return body.messages;
}

describe('persisted queues across a restart', () => {
  it('keep a message made visible again, and one moved to the DLQ, each with its receive count', async () => {
    // Prepare
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qw-persist-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    const send = (queue: string, body: string) =>
      first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl(queue), MessageBody: body }));
    const kept = (await send('work', 'kept')).MessageId;
    const dead = (await send('flaky', 'dead')).MessageId;
    // Act: released once; the flaky one twice, which moves it to the DLQ (maxReceiveCount 1).
    const released = await receiveAndRelease(first.sqs, first.queueUrl('work'));
    await receiveAndRelease(first.sqs, first.queueUrl('flaky'));
    const movedOnReceive = await receiveAndRelease(first.sqs, first.queueUrl('flaky'));
    await stop(first);
    const second = await start(dataDir);
    // Assess
    expect(released).toBe(kept);
    expect(movedOnReceive).toBeUndefined();
    expect(await inspect(second, 'work')).toMatchObject({
      ready: [{ messageId: kept, approximateReceiveCount: 1 }],
      inflight: [],
    });
    expect(await inspect(second, 'flaky')).toMatchObject({ ready: [], inflight: [] });
    expect(await inspect(second, 'flaky-dlq')).toMatchObject({
      ready: [{ messageId: dead, approximateReceiveCount: 2 }],
    });
  });

  it('lets the DLQ be listed (received and released) after a restart, and keeps it listed after another', async () => {
    // Prepare
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qw-persist-'));
    dirs.push(dataDir);
    const first = await start(dataDir);
    await first.sqs.send(new SendMessageCommand({ QueueUrl: first.queueUrl('flaky-dlq'), MessageBody: '{}' }));
    await stop(first);
    // Act
    const second = await start(dataDir);
    const listed = await listDeadLetters(second.sqs, second.queueUrl('flaky-dlq'), { budgetMs: 2_000 });
    await stop(second);
    const third = await start(dataDir);
    const again = await listDeadLetters(third.sqs, third.queueUrl('flaky-dlq'), { budgetMs: 2_000 });
    // Assess
    expect(listed).toHaveLength(1);
    expect(again.map((m) => m.messageId)).toEqual(listed.map((m) => m.messageId));
  });

  it('answers queue URLs on the port it has now, not the one the queue was created on', async () => {
    // Prepare
    const dataDir = mkdtempSync(path.join(tmpdir(), 'qw-persist-'));
    dirs.push(dataDir);
    await stop(await start(dataDir));
    // Act
    const again = await start(dataDir);
    const created = await again.sqs.send(
      new CreateQueueCommand({ QueueName: 'work', Attributes: { VisibilityTimeout: '30' } }),
    );
    const found = await again.sqs.send(new GetQueueUrlCommand({ QueueName: 'work' }));
    const listed = await again.sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'work' }));
    // Assess
    const url = `${again.sqsEndpoint}/000000000000/work`;
    expect(created.QueueUrl).toBe(url);
    expect(found.QueueUrl).toBe(url);
    expect(listed.QueueUrls).toEqual([url]);
  });
});
