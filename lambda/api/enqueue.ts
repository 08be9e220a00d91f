import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One message to send. `id` must be unique within a call. */
export interface OutgoingMessage {
  readonly id: string;
  readonly body: string;
  readonly delaySeconds?: number;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Sends job messages; reports which ones SQS did not accept. */
export interface JobQueue {
  /** Sends to one queue; returns the ids that failed after retrying once. */
  send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<Set<string>>;
}

/** SendMessageBatch's limits: 10 entries, and a total size kept under 256 KiB so every emulator accepts it. */
const MAX_ENTRIES = 10;
const MAX_BATCH_BYTES = 256 * 1024;

/** Groups messages into SendMessageBatch calls that respect the entry and size limits. */
export function chunkMessages(messages: readonly OutgoingMessage[]): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.body) + 512;
    if (current.length === MAX_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
}

/** {@link JobQueue} on SQS with SendMessageBatch. */
export class SqsJobQueue implements JobQueue {
  constructor(private readonly sqs: SQSClient) {}

  async send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<Set<string>> {
    const failed = new Set<string>();
    await Promise.all(
      chunkMessages(messages).map(async (chunk) => {
        let pending = chunk;
        for (let round = 0; round < 2 && pending.length; round++) {
          try {
            const out = await this.sqs.send(
              new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: pending.map((m) => ({
                  Id: m.id,
                  MessageBody: m.body,
                  DelaySeconds: m.delaySeconds,
                  MessageGroupId: m.groupId,
                  MessageDeduplicationId: m.deduplicationId,
                  MessageAttributes: m.attributes
                    ? Object.fromEntries(
                        Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
                      )
                    : undefined,
                })),
              }),
            );
            const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
            pending = pending.filter((m) => failedIds.has(m.id));
          } catch {
            // Whole call failed (throttle, network): retry it once, then report every entry.
          }
        }
        for (const m of pending) failed.add(m.id);
      }),
    );
    return failed;
  }
}
