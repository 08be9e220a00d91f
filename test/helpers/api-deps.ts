import { SQSClient } from '@aws-sdk/client-sqs';
import type { JobQueue, OutgoingMessage } from '../../lambda/api/enqueue.js';
import type { ApiDeps } from '../../lambda/api/routes.js';
import { jobTypes } from '../../lambda/jobs/registry.js';
import { MemoryJobStore } from './memory-store.js';

/** A character SQS refuses in a message body (outside #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF). */
const SQS_INVALID = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * A queue that records what was sent and can be told to refuse messages. Like
 * SQS, it refuses a body with characters SQS does not carry.
 */
export class RecordingQueue implements JobQueue {
  readonly sent: { queueUrl: string; message: OutgoingMessage }[] = [];
  /** Ids to refuse; `'all'` refuses everything. */
  refuse: Set<string> | 'all' = new Set();

  async send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<Set<string>> {
    const failed = new Set<string>();
    for (const message of messages) {
      if (this.refuse === 'all' || this.refuse.has(message.id) || SQS_INVALID.test(message.body))
        failed.add(message.id);
      else this.sent.push({ queueUrl, message });
    }
    return failed;
  }
}

/**
 * API dependencies backed by memory, with one queue and DLQ per registered type.
 * `sqs` is a real client for redrive; tests mock it with aws-sdk-client-mock.
 */
export function memoryApiDeps(): ApiDeps & { store: MemoryJobStore; queue: RecordingQueue; sqs: SQSClient } {
  const now = () => new Date('2026-11-24T00:00:00.000Z');
  return {
    store: new MemoryJobStore({ now }),
    queue: new RecordingQueue(),
    sqs: new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    jobTypes,
    config: {
      tableName: 'jobs',
      retentionDays: 30,
      queueUrls: Object.fromEntries(jobTypes.map((t) => [t.name, `https://sqs.local/queue-${t.name}`])),
      deadLetterQueues: Object.fromEntries(
        jobTypes.map((t) => [
          t.name,
          { url: `https://sqs.local/dlq-${t.name}`, arn: `arn:aws:sqs:us-east-1:123456789012:dlq-${t.name}` },
        ]),
      ),
    },
    now,
  };
}
