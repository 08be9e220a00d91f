import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** What SQS itself says of a queue's depth. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** The three approximate counts of one queue, in one GetQueueAttributes call. */
export async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<QueueCounts> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const a = out.Attributes ?? {};
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** A queue's ARN and, for a queue with a DLQ, its maxReceiveCount. */
export async function queueIdentity(
  sqs: SQSClient,
  queueUrl: string,
): Promise<{ readonly arn: string; readonly maxReceiveCount?: number }> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn', 'RedrivePolicy'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS did not return the ARN of ${queueUrl}.`);
  const policy = out.Attributes?.RedrivePolicy;
  const maxReceiveCount = policy ? Number((JSON.parse(policy) as { maxReceiveCount?: unknown }).maxReceiveCount) : NaN;
  return { arn, ...(Number.isFinite(maxReceiveCount) ? { maxReceiveCount } : {}) };
}

/** One row of a queue overview: a job type's queue, its DLQ, and the rates where they are known. */
export interface QueueRow extends QueueCounts {
  readonly type: string;
  readonly dlq: number;
  /** Seconds the oldest message has waited; `null` when the target cannot tell. */
  readonly oldestAgeSeconds: number | null;
  /** Messages finished (deleted from the queue) per second, recently; `null` when the target cannot tell. */
  readonly jobsPerSecond: number | null;
}
