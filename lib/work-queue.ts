import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import { type CfnQueue, Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ResolvedQueueSettings, visibilityTimeoutSeconds } from '../lambda/jobs/define.js';

/** Props of {@link WorkQueue}. */
export interface WorkQueueProps {
  /** The job type's name; part of both queues' names. */
  readonly jobTypeName: string;
  /** The job type's settings: FIFO, attempts, worker timeout and batching window. */
  readonly settings: ResolvedQueueSettings;
  /**
   * Deduplicate a FIFO queue's messages by their body when the sender names no
   * deduplication id. EventBridge Scheduler cannot name one, so a FIFO type with
   * schedules needs it; the API names one, which still wins.
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
}

/** SQS's limit on a queue name. */
const MAX_QUEUE_NAME = 80;

/**
 * A job type's queue and its dead-letter queue, with the safe choices made:
 * SSE, TLS-only policies, a redrive policy from the type's max attempts, a DLQ
 * that only this queue may use, and a visibility timeout derived from the worker
 * timeout. Messages live 7 days on the queue and 14 in the DLQ, so a job moved
 * there late in its life still has a week to be inspected and redriven.
 */
export class WorkQueue extends Construct {
  /** Where jobs of this type wait for a worker. */
  public readonly queue: Queue;
  /** Where jobs go after their last attempt or a non-retryable failure. */
  public readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { settings } = props;
    const suffix = settings.fifo ? '.fifo' : '';
    // Physical names let the DLQ's redrive allow policy name its source queue without a dependency cycle.
    const base = queueBaseName(Stack.of(this).stackName, props.jobTypeName, Names.uniqueId(this));
    const queueName = `${base}${suffix}`;
    const dlqName = `${base}-dlq${suffix}`;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: dlqName,
      fifo: settings.fifo || undefined,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const sourceArn = Stack.of(this).formatArn({
      service: 'sqs',
      resource: queueName,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    (this.deadLetterQueue.node.defaultChild as CfnQueue).redriveAllowPolicy = {
      redrivePermission: 'byQueue',
      sourceQueueArns: [sourceArn],
    };

    this.queue = new Queue(this, 'Queue', {
      queueName,
      fifo: settings.fifo || undefined,
      contentBasedDeduplication: (settings.fifo && props.contentBasedDeduplication) || undefined,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(7),
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(settings)),
      // One receive beyond the job's attempts: the worker dead-letters a job whose last attempt
      // ended without an outcome; SQS's own redrive is only the net for a worker that cannot.
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: maxReceiveCount(settings) },
      // Nothing else may use a work queue as its dead-letter queue.
      redriveAllowPolicy: { redrivePermission: RedrivePermission.DENY_ALL },
    });
  }
}

/** The queue's maxReceiveCount: the job's attempts plus the one receive the worker dead-letters itself. */
export function maxReceiveCount(settings: ResolvedQueueSettings): number {
  return settings.maxAttempts + 1;
}

/**
 * `<stack>-<type>` when it fits SQS's name limit with room for `-dlq.fifo`,
 * otherwise a shortened form made unique by the construct's id.
 */
export function queueBaseName(stackName: string, jobTypeName: string, uniqueId: string): string {
  const clean = `${stackName}-${jobTypeName}`.replace(/[^A-Za-z0-9_-]/g, '-');
  const room = MAX_QUEUE_NAME - '-dlq.fifo'.length;
  if (clean.length <= room) return clean;
  const tail = uniqueId.slice(-8);
  return `${clean.slice(0, room - tail.length - 1)}-${tail}`;
}
