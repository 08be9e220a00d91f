/** Where one job type's messages live, as an operator needs it. */
export interface JobTypeQueues {
  /** The job type's name, as `POST /jobs` takes it: `simulate`, `webhook.deliver`. */
  readonly type: string;
  readonly queueName: string;
  readonly queueUrl: string;
  readonly dlqName: string;
  readonly dlqUrl: string;
  /** Known up front on the local runtime; read from SQS (QueueArn) elsewhere. */
  readonly queueArn?: string;
  readonly dlqArn?: string;
  /** The queue's maxReceiveCount, when known up front. */
  readonly maxAttempts?: number;
}

/** The last segment of a queue URL: its name. */
export function queueNameOf(queueUrl: string): string {
  return queueUrl.replace(/\/+$/, '').split('/').pop() ?? queueUrl;
}

/**
 * The job type a queue serves, from its name: the stack's queues are named
 * `<stack>-<type>` (see lib/work-queue.ts), with `.fifo` on FIFO queues.
 */
export function jobTypeOfQueueName(queueName: string, stackName: string): string {
  const base = queueName.replace(/\.fifo$/, '');
  return base.startsWith(`${stackName}-`) ? base.slice(stackName.length + 1) : base;
}

/**
 * The job type among `names` whose stack outputs end in `suffix`: `WebhookDeliver`
 * (of `QueueUrlWebhookDeliver`) is `webhook.deliver`. Output ids keep only the
 * letters and digits of a type's name (outputId in lib/queue-workers-stack.ts),
 * so the match ignores everything else, and case. Queue names cannot tell:
 * they turn `.` into `-` and may be shortened.
 */
export function jobTypeOfOutputSuffix(suffix: string, names: readonly string[]): string | undefined {
  const key = (s: string) => s.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
  return names.find((name) => key(name) === key(suffix));
}

/** The job type called `name`; matched exactly, then case-insensitively. */
export function findJobType<T extends { readonly type: string }>(types: readonly T[], name: string): T | undefined {
  return types.find((t) => t.type === name) ?? types.find((t) => t.type.toLowerCase() === name.toLowerCase());
}

/**
 * A job type's attempts from its queue's maxReceiveCount: the queue keeps one
 * receive beyond the attempts, for the worker to dead-letter a job whose last
 * attempt ended without an outcome (see `maxReceiveCount` in lib/work-queue.ts).
 */
export function attemptsOfMaxReceiveCount(maxReceiveCount: number): number {
  return Math.max(1, maxReceiveCount - 1);
}
