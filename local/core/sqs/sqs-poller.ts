import { setTimeout as sleep } from 'node:timers/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import type { InvocationFault } from '../faults/fault-plan.js';
import type { InvokeResult } from '../functions/invoke-result.js';
import type { LambdaFunction } from '../functions/lambda-function.js';
import type { EventSourceDef } from '../plan.js';
import { type PollerSqs, type ReceivedMessage, sdkPollerSqs } from './poller-sqs.js';
import { recordsToDelete, toSqsRecord } from './sqs-event.js';

/** Lambda's long-poll wait. */
const LONG_POLL_SECONDS = 20;
/** Lambda starts this many pollers when no maximum concurrency is set. */
export const DEFAULT_POLLERS = 5;
/** SQS returns at most 10 messages per ReceiveMessage. */
const MAX_RECEIVE = 10;
/** Lambda's invocation payload limit, which also bounds a batch. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** Options of {@link SqsPoller}. */
export interface SqsPollerOptions {
  /** How the poller receives and deletes; an SDK client is used over HTTP. */
  readonly sqs: PollerSqs | SQSClient;
  readonly mapping: EventSourceDef;
  /** Pollers to run: Lambda runs MaximumConcurrency ({@link DEFAULT_POLLERS} when unset); the runtime may cap it. */
  readonly concurrency: number;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** The function to invoke; looked up on each batch, so a hot reload takes effect at once. */
  readonly target: () => LambdaFunction;
  /** A line about a failed batch or a delete that SQS refused. */
  readonly log: (line: string) => void;
  /** Called after each batch, for counters and tests. */
  readonly onBatch?: (outcome: BatchOutcome) => void;
  /** Draws the fault a batch's invocation gets, if any (QW_FAULTS). @default none */
  readonly fault?: () => InvocationFault;
}

/** What became of one batch. */
export interface BatchOutcome {
  readonly records: number;
  readonly deleted: number;
  readonly result: InvokeResult;
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

  /** Starts the pollers, unless the mapping is disabled. */
  start(): void {
    if (!this.options.mapping.enabled) return;
    this.loops = Array.from({ length: this.options.concurrency }, () => this.loop());
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
    const result = await this.options.target().invoke(event, this.options.fault?.());
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
