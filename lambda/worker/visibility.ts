import { ChangeMessageVisibilityBatchCommand, type ChangeMessageVisibilityBatchResult } from '@aws-sdk/client-sqs';
import type { JobLogger } from '../jobs/define.js';
import type { WorkerSqs } from './deps.js';

/** One record's next visibility, in seconds from now. */
export interface VisibilityChange {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly seconds: number;
}

/** ChangeMessageVisibilityBatch takes at most 10 entries. */
const MAX_ENTRIES = 10;

/**
 * Sets each record's visibility in calls of 10. Never throws: a change SQS
 * refuses only means the record comes back after the queue's own visibility
 * timeout instead, which loses nothing; it is logged.
 */
export async function changeVisibility(
  sqs: WorkerSqs,
  queueUrl: string,
  changes: readonly VisibilityChange[],
  logger: JobLogger,
): Promise<void> {
  const calls: Promise<void>[] = [];
  for (let i = 0; i < changes.length; i += MAX_ENTRIES) {
    const chunk = changes.slice(i, i + MAX_ENTRIES);
    const command = new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      // Entry ids only need to be unique within the call; message ids may hold characters SQS refuses here.
      Entries: chunk.map((c, j) => ({ Id: `r${j}`, ReceiptHandle: c.receiptHandle, VisibilityTimeout: c.seconds })),
    });
    calls.push(
      sqs.send(command).then(
        (out) => {
          const failed = (out as ChangeMessageVisibilityBatchResult | undefined)?.Failed ?? [];
          for (const f of failed) {
            const change = chunk[Number(f.Id?.slice(1))];
            logger.warn('visibility change refused; the record returns after the queue visibility timeout', {
              messageId: change?.messageId,
              code: f.Code,
              reason: f.Message,
            });
          }
        },
        (error: unknown) => {
          logger.warn('visibility change failed; the records return after the queue visibility timeout', {
            messageIds: chunk.map((c) => c.messageId),
            error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
          });
        },
      ),
    );
  }
  await Promise.all(calls);
}
