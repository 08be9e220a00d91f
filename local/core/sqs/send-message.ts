import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduleRunnerDeps } from '../schedules/schedule-runner.js';

/** Sends messages to local queues by name, string attributes and FIFO group included: how Scheduler's targets reach SQS. */
export function queueSender(sqs: SQSClient, queueUrl: (name: string) => string): ScheduleRunnerDeps['sendMessage'] {
  return async ({ queueName, body, messageGroupId, attributes }) => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl(queueName),
        MessageBody: body,
        ...(messageGroupId ? { MessageGroupId: messageGroupId } : {}),
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
