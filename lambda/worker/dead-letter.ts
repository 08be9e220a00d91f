import { type MessageAttributeValue, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { JobErrorInfo } from '../shared/job.js';
import type { WorkerSqs } from './deps.js';

/** Why a record was parked, as the DLQ message's attributes carry it. */
export interface DeadLetterReason {
  readonly error: JobErrorInfo;
  readonly jobId?: string;
  readonly type: string;
  readonly attempt: number;
  readonly failedAt: Date;
}

/** SQS attribute values are at most 256 KiB with the body; a reason needs far less. */
const MAX_REASON_CHARS = 1024;

const text = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/**
 * Sends a record's original body to the dead-letter queue with the reason in
 * message attributes (`jobId` and `type` as the API names them, plus
 * `errorCode`, `errorMessage`, `attempt`, `failedAt`, `sourceMessageId`), so an
 * operator sees why without opening the logs. On a FIFO DLQ the record keeps its
 * group, and its message id deduplicates a second send of the same delivery.
 * Throws when SQS does not take the message: the caller must then keep the record.
 */
export async function sendToDeadLetterQueue(
  sqs: WorkerSqs,
  dlqUrl: string,
  record: SQSRecord,
  reason: DeadLetterReason,
): Promise<void> {
  const attributes: Record<string, MessageAttributeValue> = {
    type: text(reason.type),
    errorCode: text(reason.error.code || 'Error'),
    errorMessage: text((reason.error.message || '(no message)').slice(0, MAX_REASON_CHARS)),
    attempt: { DataType: 'Number', StringValue: String(reason.attempt) },
    failedAt: text(reason.failedAt.toISOString()),
    sourceMessageId: text(record.messageId),
  };
  if (reason.jobId) attributes.jobId = text(reason.jobId);
  const fifo = dlqUrl.endsWith('.fifo');
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: record.body,
      MessageAttributes: attributes,
      ...(fifo
        ? {
            MessageGroupId: record.attributes.MessageGroupId ?? reason.jobId ?? record.messageId,
            MessageDeduplicationId: record.messageId,
          }
        : {}),
    }),
  );
}
