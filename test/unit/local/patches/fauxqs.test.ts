/**
 * What patches/fauxqs+2.4.1.patch adds to fauxqs's public API. These fail when
 * the patch stops applying (a fauxqs upgrade, a lost postinstall).
 */
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterEach, describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../../../local/core/local-aws.js';

const servers: FauxqsServer[] = [];

async function start(options: Parameters<typeof startFauxqs>[0] = {}): Promise<FauxqsServer> {
  const server = await startFauxqs({ port: 0, logger: false, ...options });
  servers.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** An address of this machine other than 127.0.0.1: a network interface's, else another loopback address. */
function otherAddress(): string {
  const external = Object.values(networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal);
  return external?.address ?? '127.0.0.2';
}

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('fauxqs, as patched', () => {
  it('binds the address it is given, and every interface only by default', async () => {
    // Prepare
    const other = otherAddress();
    // Act
    const loopback = await start({ bindAddress: '127.0.0.1' });
    const everywhere = await start();
    // Assess
    expect(await accepts('127.0.0.1', loopback.port)).toBe(true);
    expect(await accepts(other, loopback.port)).toBe(false);
    expect(await accepts(other, everywhere.port)).toBe(true);
  });

  it("builds queue URLs from the request's Host when its host is empty", async () => {
    // Prepare
    const server = await start({ bindAddress: '127.0.0.1', host: '' });
    const endpoint = `http://127.0.0.1:${server.port}`;
    const sqs = new SQSClient({ region: 'us-east-1', endpoint, credentials: { ...THROWAWAY_CREDENTIALS } });
    // Act
    const created = await sqs.send(new CreateQueueCommand({ QueueName: 'orders' }));
    const found = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
    const own = server.createQueue('mails');
    sqs.destroy();
    // Assess
    expect(created.QueueUrl).toBe(`${endpoint}/000000000000/orders`);
    expect(found.QueueUrl).toBe(`${endpoint}/000000000000/orders`);
    expect(own.queueUrl).toBe(`${endpoint}/000000000000/mails`);
  });
});

describe('fauxqs, as patched: message bodies', () => {
  it('carries characters beyond the BMP, as SQS does, and still refuses lone surrogates and U+FFFE', async () => {
    // Prepare
    const server = await start({ bindAddress: '127.0.0.1', host: '' });
    const endpoint = `http://127.0.0.1:${server.port}`;
    const sqs = new SQSClient({ region: 'us-east-1', endpoint, credentials: { ...THROWAWAY_CREDENTIALS } });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'hooks' }));
    // Act
    const astral = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'paid \u{1F4B8} \u{10FFFD}' }));
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'emoji', MessageBody: '\u{1F600}' },
          { Id: 'lone', MessageBody: 'half \uD83D pair' },
          { Id: 'nonchar', MessageBody: '\uFFFE' },
        ],
      }),
    );
    const inProcess = server.sendMessage('hooks', 'in process \u{1F680}');
    sqs.destroy();
    // Assess
    expect(astral.MessageId).toEqual(expect.any(String));
    expect(inProcess.messageId).toEqual(expect.any(String));
    expect(batch.Successful?.map((e) => e.Id)).toEqual(['emoji']);
    expect(batch.Failed?.map((e) => [e.Id, e.Code])).toEqual([
      ['lone', 'InvalidMessageContents'],
      ['nonchar', 'InvalidMessageContents'],
    ]);
  });
});

describe('fauxqs, as patched: in-process receive and delete', () => {
  it('receives and deletes in process, with receive counts and system attributes', async () => {
    // Prepare
    const server = await start({ host: '' });
    const { queueUrl } = server.createQueue('orders');
    const sent = server.sendMessage('orders', 'hello');
    // Act
    const received = await server.receiveMessage({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['All'],
    });
    const [message] = received.Messages ?? [];
    const deleted = server.deleteMessageBatch({
      QueueUrl: queueUrl,
      Entries: [{ Id: '0', ReceiptHandle: message?.ReceiptHandle ?? '' }],
    });
    // Assess
    expect(message).toMatchObject({ MessageId: sent.messageId, Body: 'hello' });
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(deleted).toEqual({ Successful: [{ Id: '0' }], Failed: [] });
    expect(server.inspectQueue('orders')?.messages).toEqual({ ready: [], delayed: [], inflight: [] });
  });

  it('gives a waiting long poll the message that arrives', async () => {
    // Prepare
    const server = await start({ host: '' });
    const { queueUrl } = server.createQueue('orders');
    // Act
    const polling = server.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 5 });
    server.sendMessage('orders', 'late');
    const received = await polling;
    // Assess
    expect(received.Messages?.map((m) => m.Body)).toEqual(['late']);
  });

  it('ends an aborted long poll without taking the message that arrives after it', async () => {
    // Prepare
    const server = await start({ host: '' });
    const { queueUrl } = server.createQueue('orders');
    const abort = new AbortController();
    // Act
    const polling = server.receiveMessage({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }, { signal: abort.signal });
    abort.abort(new Error('poller stopped'));
    const outcome = await polling.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    server.sendMessage('orders', 'after');
    // Assess
    expect(outcome).toBe('poller stopped');
    const { messages } = server.inspectQueue('orders') ?? { messages: undefined };
    expect(messages?.ready.map((m) => m.body)).toEqual(['after']);
    expect(messages?.inflight).toEqual([]);
  });

  it('refuses a receive whose signal has already aborted', async () => {
    // Prepare
    const server = await start({ host: '' });
    const { queueUrl } = server.createQueue('orders');
    server.sendMessage('orders', 'kept');
    // Act
    const receive = server.receiveMessage({ QueueUrl: queueUrl }, { signal: AbortSignal.abort() });
    // Assess
    await expect(receive).rejects.toThrow();
    expect(server.inspectQueue('orders')?.messages.ready).toHaveLength(1);
  });
});

describe('fauxqs, as patched: the body limit', () => {
  it('takes an S3 object over 11 MiB when given a larger bodyLimit, and refuses it by default', async () => {
    // Prepare
    const roomy = await start({ bindAddress: '127.0.0.1', bodyLimit: 32 * 1024 * 1024 });
    const strict = await start({ bindAddress: '127.0.0.1' });
    const body = Buffer.alloc(12 * 1024 * 1024, 1);
    const put = async (server: FauxqsServer) => {
      const s3 = new S3Client({
        region: 'us-east-1',
        endpoint: `http://127.0.0.1:${server.port}`,
        credentials: { ...THROWAWAY_CREDENTIALS },
        maxAttempts: 1,
      });
      try {
        await s3.send(new CreateBucketCommand({ Bucket: 'files' }));
        await s3.send(new PutObjectCommand({ Bucket: 'files', Key: 'big', Body: body }));
        return 'stored';
      } catch (error) {
        return `refused (${(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode})`;
      } finally {
        s3.destroy();
      }
    };
    // Act + Assess
    expect(await put(roomy)).toBe('stored');
    expect(await put(strict)).toBe('refused (413)');
  });
});
