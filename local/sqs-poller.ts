import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import { type InvokeResult, type LambdaFunction, localConcurrencyLimit } from './lambda-function.js';
import type { EventSourceDef } from './template.js';

/** Lambda's long-poll wait. */
const LONG_POLL_SECONDS = 20;
/** Lambda starts this many pollers when no maximum concurrency is set; locally it is also the cap. */
export const DEFAULT_POLLERS = 5;
/** SQS returns at most 10 messages per ReceiveMessage. */
const MAX_RECEIVE = 10;
/** Lambda's invocation payload limit, which also bounds a batch. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** A received message: the SDK's shape, or ReceiveMessage's wire shape, where binary attribute values are base64 text. */
export type ReceivedMessage = Omit<Message, 'MessageAttributes'> & {
  MessageAttributes?: Record<string, WireAttributeValue>;
};

/** A message attribute value as the SDK or the wire carries it. */
export type WireAttributeValue = Omit<MessageAttributeValue, 'BinaryValue' | 'BinaryListValues'> & {
  BinaryValue?: Uint8Array | string;
  BinaryListValues?: (Uint8Array | string)[];
};

/** ReceiveMessage's input, as a poller sends it. */
export interface PollerReceiveInput {
  readonly QueueUrl: string;
  readonly MaxNumberOfMessages: number;
  readonly WaitTimeSeconds: number;
  readonly MessageSystemAttributeNames: ['All'];
  readonly MessageAttributeNames: ['All'];
}

/**
 * The two SQS calls a poller makes. The runtime answers them in-process from the
 * embedded emulator (see `Emulators.pollerSqs`); {@link sdkPollerSqs} makes them over HTTP.
 */
export interface PollerSqs {
  /** ReceiveMessage; an aborted long poll rejects and takes no message. */
  receive(input: PollerReceiveInput, signal: AbortSignal): Promise<ReceivedMessage[]>;
  /** DeleteMessageBatch of at most 10 entries. */
  deleteBatch(
    queueUrl: string,
    entries: readonly { Id: string; ReceiptHandle: string }[],
  ): Promise<{ readonly deleted: number; readonly failed: readonly { Code?: string; Message?: string }[] }>;
}

/** {@link PollerSqs} over an SDK client, for an SQS endpoint outside this process. */
export function sdkPollerSqs(sqs: SQSClient): PollerSqs {
  return {
    async receive(input, signal) {
      const out = await sqs.send(new ReceiveMessageCommand({ ...input }), { abortSignal: signal });
      return out.Messages ?? [];
    },
    async deleteBatch(queueUrl, entries) {
      const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...entries] }));
      return { deleted: out.Successful?.length ?? 0, failed: out.Failed ?? [] };
    },
  };
}

/** Options of {@link SqsPoller}. */
export interface SqsPollerOptions {
  /** How the poller receives and deletes; an SDK client is used over HTTP. */
  readonly sqs: PollerSqs | SQSClient;
  readonly mapping: EventSourceDef;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** The function to invoke; looked up on each batch, so a hot reload takes effect at once. */
  readonly target: () => LambdaFunction;
  /** A line about a failed batch or a delete that SQS refused. */
  readonly log: (line: string) => void;
  /** Called after each batch, for counters and tests. */
  readonly onBatch?: (outcome: BatchOutcome) => void;
}

/** What became of one batch. */
export interface BatchOutcome {
  readonly records: number;
  readonly deleted: number;
  readonly result: InvokeResult;
}

/** A message attribute in Lambda's event shape: camelCase, binary as base64, list fields always present. */
export function toLambdaAttribute(value: WireAttributeValue): SQSMessageAttribute {
  const b64 = (b: Uint8Array | string) => (typeof b === 'string' ? b : Buffer.from(b).toString('base64'));
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: b64(value.BinaryValue) } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(b64),
    dataType: value.DataType ?? 'String',
  };
}

/** One received message as a record of Lambda's SQS event. */
export function toSqsRecord(message: ReceivedMessage, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, v]) => [name, toLambdaAttribute(v)]),
  );
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
      ...Object.fromEntries(
        (
          [
            'SequenceNumber',
            'MessageGroupId',
            'MessageDeduplicationId',
            'AWSTraceHeader',
            'DeadLetterQueueSourceArn',
          ] as const
        )
          .filter((k) => attributes[k] !== undefined)
          .map((k) => [k, attributes[k]]),
      ),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records to delete after an invocation, as Lambda decides: none after an
 * error or timeout; with ReportBatchItemFailures all but the listed ones, unless
 * the response is malformed or names a record not in the batch, which fails the
 * whole batch; without it, all of them.
 */
export function recordsToDelete(
  records: readonly SQSRecord[],
  result: InvokeResult,
  reportBatchItemFailures: boolean,
): { readonly delete: SQSRecord[]; readonly problem?: string } {
  if (!result.ok) return { delete: [] };
  if (!reportBatchItemFailures) return { delete: [...records] };
  const payload = result.payload;
  if (payload === null || payload === undefined) return { delete: [...records] };
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return { delete: [], problem: 'the response is not a batch response object; the whole batch is retried' };
  }
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { delete: [...records] };
  if (!Array.isArray(failures)) {
    return { delete: [], problem: 'batchItemFailures is not a list; the whole batch is retried' };
  }
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) {
      return {
        delete: [],
        problem: `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch; the whole batch is retried`,
      };
    }
    failed.add(id);
  }
  return { delete: records.filter((r) => !failed.has(r.messageId)) };
}

/**
 * An SQS event source mapping, polled as the Lambda service polls: up to
 * MaximumConcurrency pollers, each long-polling, gathering a batch (up to
 * BatchSize, for at most MaximumBatchingWindowInSeconds), invoking the function
 * and deleting what succeeded. Records that are not deleted come back after the
 * queue's visibility timeout (or whatever visibility the function set).
 */
export class SqsPoller {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private readonly sqs: PollerSqs;

  constructor(private readonly options: SqsPollerOptions) {
    this.sqs = options.sqs instanceof SQSClient ? sdkPollerSqs(options.sqs) : options.sqs;
  }

  /** Pollers this mapping runs: its MaximumConcurrency (default 5), capped by {@link localConcurrencyLimit}. */
  get concurrency(): number {
    return Math.min(this.options.mapping.maxConcurrency ?? DEFAULT_POLLERS, localConcurrencyLimit());
  }

  start(): void {
    if (!this.options.mapping.enabled) return;
    this.loops = Array.from({ length: this.concurrency }, () => this.loop());
  }

  /** Stops receiving and waits for the batches in flight to finish. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const messages = await this.gather();
        if (messages.length) await this.process(messages);
      } catch (error) {
        if (this.abort.signal.aborted) return;
        this.options.log(`polling ${this.options.queueUrl} failed: ${(error as Error).message}`);
        await sleep(1000, undefined, { signal: this.abort.signal }).catch(() => undefined);
      }
    }
  }

  private receive(max: number, waitSeconds: number): Promise<ReceivedMessage[]> {
    return this.sqs.receive(
      {
        QueueUrl: this.options.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      },
      this.abort.signal,
    );
  }

  /** One batch: the first receive long-polls; the batching window then keeps filling it. */
  private async gather(): Promise<ReceivedMessage[]> {
    const { batchSize, maxBatchingWindowSeconds } = this.options.mapping;
    const batch = await this.receive(Math.min(MAX_RECEIVE, batchSize), LONG_POLL_SECONDS);
    if (!batch.length || maxBatchingWindowSeconds <= 0) return batch;
    const deadline = Date.now() + maxBatchingWindowSeconds * 1000;
    let bytes = batch.reduce((n, m) => n + Buffer.byteLength(m.Body ?? ''), 0);
    while (batch.length < batchSize && bytes < MAX_PAYLOAD_BYTES && !this.abort.signal.aborted) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const more = await this.receive(Math.min(MAX_RECEIVE, batchSize - batch.length), Math.floor(remaining / 1000));
      if (!more.length) await sleep(Math.min(remaining, 100));
      batch.push(...more);
      bytes += more.reduce((n, m) => n + Buffer.byteLength(m.Body ?? ''), 0);
    }
    return batch;
  }

  private async process(messages: ReceivedMessage[]): Promise<void> {
    const { queueArn, region, mapping, queueUrl, log } = this.options;
    const records = messages.map((m) => toSqsRecord(m, queueArn, region));
    const event: SQSEvent = { Records: records };
    const result = await this.options.target().invoke(event);
    const decision = recordsToDelete(records, result, mapping.reportBatchItemFailures);
    if (!result.ok) {
      log(`batch of ${records.length} left for retry: ${result.errorType}: ${result.errorMessage}`);
    } else if (decision.problem) {
      log(`batch of ${records.length} left for retry: ${decision.problem}`);
    }
    let deleted = 0;
    for (let i = 0; i < decision.delete.length; i += MAX_RECEIVE) {
      const chunk = decision.delete.slice(i, i + MAX_RECEIVE);
      const out = await this.sqs.deleteBatch(
        queueUrl,
        chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle })),
      );
      deleted += out.deleted;
      for (const f of out.failed) log(`delete failed: ${f.Code}: ${f.Message}`);
    }
    this.options.onBatch?.({ records: records.length, deleted, result });
  }
}
