import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageCommand,
  type SendMessageCommandInput,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhookDeliverJob } from '../../../lambda/jobs/webhook-deliver.js';
import { reconcile } from '../../../lambda/reconciler/reconcile.js';
import { callbackJobId, completionCallbacks } from '../../../lambda/shared/completion-callbacks.js';
import type { JobMessage, JobRecord } from '../../../lambda/shared/job.js';
import { composeListeners, type FinishedJob } from '../../../lambda/shared/job-finished.js';
import * as z from '../../../lambda/shared/zod.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { lambdaContext, sqsEvent, sqsRecord } from '../../helpers/events.js';
import { jobContext } from '../../helpers/job-context.js';
import { MemoryJobStore } from '../../helpers/memory-store.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../helpers/webhook-receiver.js';
import { webhookSettings } from '../../helpers/webhook-settings.js';
import { job, NOW, RecordingLogger, workerDeps } from '../worker/fixtures.js';

const CALLBACK_QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/qw-webhook-deliver';

/** A receiver on loopback that keeps every request. */
let callbacks: WebhookReceiver;
let receiver: string;
let received: WebhookReceiver['received'];

beforeAll(async () => {
  callbacks = await startWebhookReceiver();
  receiver = `${callbacks.url}/callbacks`;
  received = callbacks.received;
});
afterAll(() => callbacks.close());

/** The worker's own SQS calls (its DLQ, visibilities); callbacks go through {@link callbackSqs}. */
const workerSqs = mockClient(SQSClient);
beforeEach(() => {
  callbacks.clear();
  workerSqs.reset();
  workerSqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  workerSqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
});
afterAll(() => workerSqs.restore());

/** An SQS stand-in that keeps what was sent, or refuses it. */
function callbackSqs(refuse = false) {
  const sent: SendMessageCommandInput[] = [];
  return {
    sent,
    async send(command: SendMessageCommand) {
      if (refuse) throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
      sent.push(command.input);
      return { MessageId: `m${sent.length}` };
    },
  };
}

/** A worker whose finished jobs are announced to completion callbacks, and the job `j1` with a callback URL. */
function workerWithCallbacks(payload: Record<string, unknown>, callbackUrl: string | null = receiver) {
  const sqs = callbackSqs();
  const logger = new RecordingLogger();
  const base = workerDeps({ maxAttempts: 2 });
  const deps = workerDeps(
    { maxAttempts: 2 },
    {
      store: base.store,
      onFinished: completionCallbacks({ store: base.store, sqs, config: { queueUrl: CALLBACK_QUEUE }, logger }),
    },
  );
  const record = job(deps.store, 'j1', payload, { receiveCount: 1 });
  const stored = deps.store.records.get('j1') as JobRecord;
  deps.store.records.set('j1', { ...stored, ...(callbackUrl ? { callbackUrl } : {}) });
  return { deps, sqs, logger, record };
}

/** Counts the store's reads from now on: of one job, or of any. */
function countReads(store: MemoryJobStore, jobId?: string): { readonly count: number } {
  const counter = { count: 0 };
  const get = store.get.bind(store);
  store.get = async (id) => {
    if (jobId === undefined || id === jobId) counter.count += 1;
    return get(id);
  };
  return counter;
}

function finished(overrides: Partial<FinishedJob> = {}): FinishedJob {
  return {
    jobId: 'j1',
    type: 'simulate',
    status: 'succeeded',
    attempts: 1,
    result: { ok: true },
    finishedAt: NOW.toISOString(),
    record: {
      jobId: 'j1',
      type: 'simulate',
      status: 'queued',
      attempts: 0,
      maxAttempts: 3,
      createdAt: 'c',
      updatedAt: 'u',
      callbackUrl: receiver,
    },
    ...overrides,
  };
}

describe('completion callbacks', () => {
  it('deliver a signed callback with the outcome of a job that succeeded, through a webhook.deliver job', async () => {
    // Prepare
    const { deps, sqs, record } = workerWithCallbacks({ do: 'ok' });
    const settings = webhookSettings({ allowPrivateNetworks: true });

    // Act: the worker finishes the job, then the queued delivery runs as webhook.deliver would run it.
    await processBatch(sqsEvent([record]), deps, lambdaContext());
    const sent = sqs.sent[0] as SendMessageCommandInput;
    const message = JSON.parse(sent.MessageBody ?? '') as JobMessage;
    const delivery = webhookDeliverJob({ settings });
    await delivery.handler(z.parse(delivery.payload, message.payload), jobContext({ jobId: message.jobId }));

    // Assess
    expect(sent.QueueUrl).toBe(CALLBACK_QUEUE);
    expect(sent.MessageAttributes?.type?.StringValue).toBe('webhook.deliver');
    expect(message).toMatchObject({ jobId: callbackJobId('j1', 'succeeded'), type: 'webhook.deliver' });
    expect(deps.store.records.get(message.jobId)).toMatchObject({
      type: 'webhook.deliver',
      status: 'queued',
      maxAttempts: 8,
    });
    const request = received[0];
    const verified = new Webhook(settings.secret).verify(
      request?.body ?? '',
      request?.headers as Record<string, string>,
    );
    expect(verified).toEqual({
      jobId: 'j1',
      type: 'test.job',
      status: 'succeeded',
      attempts: 1,
      result: { echo: 'j1', attempt: 1 },
      finishedAt: NOW.toISOString(),
    });
    expect(request?.headers['webhook-id']).toBe(message.jobId);
    expect(request?.headers['idempotency-key']).toBe(message.jobId);
  });

  it('carry the error of a job that failed', async () => {
    const { deps, sqs, record } = workerWithCallbacks({ do: 'fatal' });

    await processBatch(sqsEvent([record]), deps, lambdaContext());

    const message = JSON.parse(sqs.sent[0]?.MessageBody ?? '') as JobMessage;
    expect(message.jobId).toBe(callbackJobId('j1', 'failed'));
    expect(message.payload).toEqual({
      url: receiver,
      sign: true,
      body: {
        jobId: 'j1',
        type: 'test.job',
        status: 'failed',
        attempts: 1,
        error: { code: 'NON_RETRYABLE', message: 'will never work' },
        finishedAt: NOW.toISOString(),
      },
    });
  });

  it('queue nothing for a job without a callback URL, and read nothing', async () => {
    const { deps, sqs, record } = workerWithCallbacks({ do: 'ok' }, null);
    const reads = countReads(deps.store);

    await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(sqs.sent).toEqual([]);
    expect(reads.count).toBe(1); // the worker's own read at the start of the attempt
  });

  it('reuse the record the worker read on the receive beyond the last attempt', async () => {
    // Prepare: the job's last attempt (2 of 2) ended without an outcome; SQS delivers it once more.
    const { deps, sqs } = workerWithCallbacks({ do: 'ok' });
    const record = job(deps.store, 'j2', { do: 'ok' }, { receiveCount: 3 });
    deps.store.records.set('j2', {
      ...(deps.store.records.get('j2') as JobRecord),
      status: 'running',
      attempts: 2,
      callbackUrl: receiver,
    });
    const reads = countReads(deps.store, 'j2');

    // Act
    await processBatch(sqsEvent([record]), deps, lambdaContext());

    // Assess: the job's record is read once; the delivery's own id is looked up before it is sent
    const message = JSON.parse(sqs.sent[0]?.MessageBody ?? '') as JobMessage;
    expect(message.payload).toMatchObject({
      body: { jobId: 'j2', status: 'failed', error: { code: 'DEAD_LETTERED' } },
    });
    expect(reads.count).toBe(1);
  });

  it("take the URL from the message's origin, with no read, when the worker found no record: the API has not written it", async () => {
    // Prepare: the API sent the message and has not written (or never wrote) the record
    const { deps, sqs, record } = workerWithCallbacks({ do: 'ok' }, null);
    deps.store.records.delete('j1');
    const message = JSON.parse(record.body) as JobMessage;
    const fromApi = sqsRecord(
      { ...message, requestHash: 'h1', callbackUrl: receiver },
      { receiveCount: 1, messageId: record.messageId },
    );
    const reads = countReads(deps.store, 'j1');

    // Act
    await processBatch(sqsEvent([fromApi]), deps, lambdaContext());

    // Assess: the worker's start read only; the delivery was queued, and the record made from the message
    expect(reads.count).toBe(1);
    expect(sqs.sent).toHaveLength(1);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', callbackUrl: receiver });
  });

  it("read the job's record when its finisher did not: the reconciler", async () => {
    // Prepare
    const store = new MemoryJobStore({ now: () => NOW });
    const sqs = callbackSqs();
    const logger = new RecordingLogger();
    store.records.set('dead', {
      jobId: 'dead',
      type: 'simulate',
      status: 'running',
      attempts: 3,
      maxAttempts: 3,
      createdAt: 'c',
      updatedAt: 'u',
      leaseExpiresAt: NOW.getTime() / 1000 - 120,
      leaseShard: '1',
      callbackUrl: receiver,
    });
    const onFinished = completionCallbacks({ store, sqs, config: { queueUrl: CALLBACK_QUEUE }, logger });

    // Act
    await reconcile({
      store,
      logger,
      policy: { graceSeconds: 60, stalledAfterSeconds: 300 },
      now: () => NOW,
      onFinished,
    });

    // Assess
    const message = JSON.parse(sqs.sent[0]?.MessageBody ?? '') as JobMessage;
    expect(message.payload).toMatchObject({
      url: receiver,
      body: { jobId: 'dead', status: 'failed', attempts: 3, error: { code: 'DEAD_LETTERED' } },
    });
  });

  it('queue one callback per job and status: a repeat is refused by the conditional create', async () => {
    // Prepare
    const store = new MemoryJobStore({ now: () => NOW });
    const sqs = callbackSqs();
    const logger = new RecordingLogger();
    const listener = completionCallbacks({ store, sqs, config: { queueUrl: CALLBACK_QUEUE }, logger });
    const failed = finished({ status: 'failed', result: undefined, error: { code: 'X', message: 'no' } });

    // Act: told twice of the failure, then of a success after a redrive
    await listener(failed);
    await listener(failed);
    await listener(finished({ attempts: 2 }));

    // Assess
    expect(sqs.sent.map((s) => (JSON.parse(s.MessageBody ?? '') as JobMessage).jobId)).toEqual([
      callbackJobId('j1', 'failed'),
      callbackJobId('j1', 'succeeded'),
    ]);
    expect(logger.lines).toContainEqual(expect.objectContaining({ message: 'completion callback already queued' }));
  });

  it('leave the callback failed with ENQUEUE_FAILED, and fail, when SQS refuses it', async () => {
    const store = new MemoryJobStore({ now: () => NOW });
    const listener = completionCallbacks({
      store,
      sqs: callbackSqs(true),
      config: { queueUrl: CALLBACK_QUEUE },
      logger: new RecordingLogger(),
    });

    await expect(listener(finished())).rejects.toThrow(/could not be queued/);

    expect(store.records.get(callbackJobId('j1', 'succeeded'))).toMatchObject({
      status: 'failed',
      error: { code: 'ENQUEUE_FAILED', message: expect.stringContaining('Service Unavailable') },
    });
  });

  it('leave out a result too large for a queue message, and say so', async () => {
    const sqs = callbackSqs();
    const listener = completionCallbacks({
      store: new MemoryJobStore(),
      sqs,
      config: { queueUrl: CALLBACK_QUEUE },
      logger: new RecordingLogger(),
    });

    await listener(finished({ result: { blob: 'x'.repeat(300 * 1024) } }));

    const text = sqs.sent[0]?.MessageBody ?? '';
    expect(Buffer.byteLength(text)).toBeLessThan(256 * 1024);
    const body = (JSON.parse(text) as { payload: { body: Record<string, unknown> } }).payload.body;
    expect(body).toMatchObject({ jobId: 'j1', status: 'succeeded', resultOmitted: true });
    expect(body).not.toHaveProperty('result');
  });

  it('escape the characters SQS does not carry, so the result parses back unchanged', async () => {
    const sqs = callbackSqs();
    const listener = completionCallbacks({
      store: new MemoryJobStore(),
      sqs,
      config: { queueUrl: CALLBACK_QUEUE },
      logger: new RecordingLogger(),
    });

    await listener(finished({ result: 'a\uFFFEb\uFFFF' }));

    const text = sqs.sent[0]?.MessageBody ?? '';
    expect(text).not.toMatch(/[\uFFFE\uFFFF]/);
    expect((JSON.parse(text) as { payload: { body: { result: string } } }).payload.body.result).toBe('a\uFFFEb\uFFFF');
  });
});

describe('composed finished-job listeners', () => {
  it('tell every listener, even when one fails, then throw that failure', async () => {
    const told: string[] = [];
    const composed = composeListeners(
      async () => {
        throw new Error('bus down');
      },
      undefined,
      async (j) => void told.push(j.jobId),
    );

    await expect(composed?.(finished())).rejects.toThrow('bus down');
    expect(told).toEqual(['j1']);
  });

  it('throw one error naming every failure when several fail', async () => {
    const failing = (message: string) => async () => {
      throw new Error(message);
    };

    await expect(composeListeners(failing('bus down'), failing('queue down'))?.(finished())).rejects.toThrow(
      '2 finished-job listeners failed: bus down; queue down',
    );
  });

  it('are nothing when no listener is given, and the one listener itself when one is', () => {
    const only = async () => undefined;

    expect(composeListeners(undefined, undefined)).toBeUndefined();
    expect(composeListeners(undefined, only)).toBe(only);
  });
});
