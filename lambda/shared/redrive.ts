import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { RedriveRefusedError, RedriveUnsupportedError } from './errors.js';
import type { JobRecord } from './job.js';
import type { JobStore } from './job-store.js';
import type { Restore, TransitionContext } from './transitions.js';

/** A job type's dead-letter queue and the queue its jobs came from. */
export interface DeadLetterTarget {
  readonly type: string;
  readonly maxAttempts: number;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly queueUrl: string;
}

/**
 * The ARN of the queue a DLQ's messages go back to. SQS only returns a message
 * to "its source" by itself when its own redrive policy dead-lettered it; the
 * worker sends most dead letters itself, and a move task without a destination
 * fails on those (CouldNotDetermineMessageSource). A DLQ is in the account and
 * region of its queue, so the queue's ARN is the DLQ's with the queue's name.
 */
export function sourceQueueArn(target: Pick<DeadLetterTarget, 'dlqArn' | 'queueUrl'>): string {
  const name = new URL(target.queueUrl).pathname.split('/').filter(Boolean).pop() ?? '';
  return target.dlqArn.replace(/[^:]*$/, name);
}

/** True when the endpoint does not know the operation at all, as emulators answer. */
function isUnimplemented(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    /InvalidAction|UnknownOperation|NotImplemented/.test(e.name ?? '') ||
    /not (implemented|supported)|unknown (operation|action)/i.test(e.message ?? '')
  );
}

/** The job id a DLQ message carries: its `jobId` attribute, or its envelope's. */
export function jobIdOf(message: Message): string | undefined {
  const attr = message.MessageAttributes?.jobId?.StringValue;
  if (attr) return attr;
  try {
    const body = JSON.parse(message.Body ?? '') as { jobId?: unknown };
    return typeof body.jobId === 'string' ? body.jobId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads messages without losing them: each is received with a short visibility
 * timeout, so paging does not see it twice, and every one is made visible again
 * before returning. Stops at `max` messages or when `budgetMs` runs out.
 */
export async function peekMessages(
  sqs: SQSClient,
  queueUrl: string,
  options: { max: number; budgetMs: number },
): Promise<Message[]> {
  const seen: Message[] = [];
  const until = Date.now() + options.budgetMs;
  try {
    while (seen.length < options.max && Date.now() < until) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - seen.length),
          VisibilityTimeout: 30,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (!out.Messages?.length) break;
      seen.push(...out.Messages);
    }
  } finally {
    await release(sqs, queueUrl, seen);
  }
  return seen;
}

async function release(sqs: SQSClient, queueUrl: string, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle ?? '',
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

/** How a redrive went. */
export interface RedriveResult {
  /** `StartMessageMoveTask`, or `manual` (receive, send, delete) where the endpoint lacks it. */
  readonly method: 'StartMessageMoveTask' | 'manual';
  readonly taskHandle?: string;
  /** Jobs moved from `failed` back to `queued` before their messages moved. */
  readonly requeued: number;
  /** Messages moved by hand (manual method only). */
  readonly moved?: number;
}

/** Options of {@link redrive}. */
export interface RedriveOptions {
  /** Messages per second SQS moves (1-500). @default SQS's own rate */
  readonly maxPerSecond?: number;
  /** Move by hand when the endpoint lacks StartMessageMoveTask. @default false */
  readonly allowManual?: boolean;
  /** Most DLQ messages whose jobs are set back to `queued` first. @default 10,000 */
  readonly maxRequeue?: number;
  /** Time spent reading the DLQ for job ids. @default 20 s */
  readonly peekBudgetMs?: number;
}

/** What a redrive talks to: SQS, and the job store (built with the stack's retention). */
export interface RedriveDeps {
  readonly sqs: SQSClient;
  readonly store: JobStore;
}

/**
 * Sends a job type's dead letters back to its queue: the one redrive the API
 * route, the local dashboard and `qw` all call. The jobs it can read are first
 * set back to `queued`, so their status says what is happening; a job it did
 * not get to stays `failed` until its redriven message arrives, which the
 * worker runs because the message is new. The move itself is SQS's
 * StartMessageMoveTask; with `allowManual`, an endpoint without it (an
 * emulator) gets a receive-send-delete loop instead. A move that cannot start
 * puts the requeued jobs back to `failed`, as they were.
 */
export async function redrive(
  deps: RedriveDeps,
  target: DeadLetterTarget,
  options: RedriveOptions = {},
): Promise<RedriveResult> {
  const { sqs, store } = deps;
  const peeked = await peekMessages(sqs, target.dlqUrl, {
    max: options.maxRequeue ?? 10_000,
    budgetMs: options.peekBudgetMs ?? 20_000,
  });
  const context: TransitionContext = { type: target.type, maxAttempts: target.maxAttempts };
  const ids = [...new Set(peeked.map(jobIdOf).filter((id): id is string => id !== undefined))];
  // What each requeued job was, so a redrive that cannot start leaves it exactly as `failed` as before.
  const before: JobRecord[] = [];
  for (const id of ids) {
    const job = await store.get(id);
    if (job?.status === 'failed' && (await store.transition(id, { to: 'queued', from: 'failed' }, context))) {
      before.push(job);
    }
  }
  const requeued = before.length;
  const undo = async (): Promise<void> => {
    for (const job of before) {
      const restore: Restore = { to: 'failed', from: 'queued', attempt: job.attempts, error: job.error };
      await store.transition(job.jobId, restore, context);
    }
  };

  try {
    const out = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: target.dlqArn,
        DestinationArn: sourceQueueArn(target),
        ...(options.maxPerSecond ? { MaxNumberOfMessagesPerSecond: options.maxPerSecond } : {}),
      }),
    );
    return { method: 'StartMessageMoveTask', ...(out.TaskHandle ? { taskHandle: out.TaskHandle } : {}), requeued };
  } catch (error) {
    if (isUnimplemented(error) && options.allowManual) {
      return { method: 'manual', requeued, moved: await moveByHand(sqs, target) };
    }
    await undo();
    if (isUnimplemented(error)) throw new RedriveUnsupportedError(error);
    if ((error as { $fault?: string }).$fault === 'client') {
      throw new RedriveRefusedError(target.type, (error as Error).message, error);
    }
    throw error;
  }
}

/**
 * Receive, send to the source queue, delete: the redrive an emulator without
 * move tasks gets. Like a move task, it moves what the DLQ held when it started:
 * a job that fails again while the loop runs lands back in the DLQ, and must
 * stay there rather than be chased around forever.
 */
export async function moveByHand(sqs: SQSClient, target: DeadLetterTarget): Promise<number> {
  const fifo = target.queueUrl.endsWith('.fifo');
  const attrs = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: target.dlqUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  const limit = Number(attrs.Attributes?.ApproximateNumberOfMessages ?? 0);
  let moved = 0;
  while (moved < limit) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: target.dlqUrl,
        MaxNumberOfMessages: Math.min(10, limit - moved),
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (!messages.length) return moved;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: target.queueUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          ...(m.MessageAttributes ? { MessageAttributes: m.MessageAttributes } : {}),
          ...(fifo
            ? {
                MessageGroupId: m.Attributes?.MessageGroupId ?? jobIdOf(m) ?? m.MessageId,
                MessageDeduplicationId: m.MessageId,
              }
            : {}),
        })),
      }),
    );
    const ok = new Set((sent.Successful ?? []).map((s) => s.Id));
    const done = messages.filter((_, i) => ok.has(String(i)));
    if (done.length) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: target.dlqUrl,
          Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
        }),
      );
    }
    moved += done.length;
    if (done.length < messages.length) {
      throw new Error(`SQS did not take ${messages.length - done.length} redriven messages; they stay in the DLQ.`);
    }
  }
  return moved;
}
