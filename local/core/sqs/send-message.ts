import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** A message for a local queue, by the queue's name: what Scheduler's and EventBridge's SQS targets send. */
export interface QueueMessage {
  readonly queueName: string;
  readonly body: string;
  /** FIFO queues: the message group. */
  readonly messageGroupId?: string;
  /** FIFO queues without content-based deduplication: the deduplication id. */
  readonly deduplicationId?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Sends a message to a local queue; throws when SQS refuses it. */
export type QueueSend = (message: QueueMessage) => Promise<void>;

/** Sends messages to local queues by name, string attributes and FIFO fields included. */
export function queueSender(sqs: SQSClient, queueUrl: (name: string) => string): QueueSend {
  return async ({ queueName, body, messageGroupId, deduplicationId, attributes }) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl(queueName),
        MessageBody: body,
        ...(messageGroupId ? { MessageGroupId: messageGroupId } : {}),
        ...(deduplicationId ? { MessageDeduplicationId: deduplicationId } : {}),
        ...(attributes
          ? {
              MessageAttributes: Object.fromEntries(
                Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
              ),
            }
          : {}),
      }),
    );
  };
}
