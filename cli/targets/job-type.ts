import type { SQSClient } from '@aws-sdk/client-sqs';
import { attemptsOfMaxReceiveCount, findJobType, type JobTypeQueues } from '../../ops/job-types.js';
import { queueIdentity } from '../../ops/queue-stats.js';
import { CliError, EXIT, fromAwsError } from '../errors.js';

/** The job type `name` with ARNs and maxAttempts, read from SQS where the target did not say. */
export async function completeJobType(
  sqs: SQSClient,
  types: readonly JobTypeQueues[],
  name: string,
): Promise<Required<JobTypeQueues>> {
  const t = findJobType(types, name);
  if (!t) {
    throw new CliError(EXIT.NOT_FOUND, `No job type "${name}". Known types: ${types.map((x) => x.type).join(', ')}.`);
  }
  if (t.queueArn && t.dlqArn && t.maxAttempts) return t as Required<JobTypeQueues>;
  try {
    const [queue, dlq] = await Promise.all([queueIdentity(sqs, t.queueUrl), queueIdentity(sqs, t.dlqUrl)]);
    const fromQueue = queue.maxReceiveCount === undefined ? 1 : attemptsOfMaxReceiveCount(queue.maxReceiveCount);
    return { ...t, queueArn: queue.arn, dlqArn: dlq.arn, maxAttempts: t.maxAttempts ?? fromQueue };
  } catch (error) {
    throw fromAwsError(error, `Reading the queues of ${t.type}`);
  }
}
