import { type Message, PurgeQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { jobIdOf, peekMessages } from '../lambda/shared/redrive.js';

/** A dead-lettered message with the reason the worker wrote on it (see lambda/worker/dead-letter.ts). */
export interface DeadLetter {
  readonly messageId: string;
  readonly jobId?: string;
  readonly type?: string;
  /** `errorCode` attribute; absent when SQS moved the message itself after maxReceiveCount. */
  readonly errorCode?: string;
  readonly errorMessage?: string;
  /** The attempt that failed, as the worker counted it; else the receive count SQS reports. */
  readonly attempt?: number;
  readonly failedAt?: string;
  /** When the message was sent to the DLQ (ISO). */
  readonly sentAt?: string;
  readonly sourceMessageId?: string;
  readonly body: string;
}

function attr(message: Message, name: string): string | undefined {
  return message.MessageAttributes?.[name]?.StringValue;
}

/** The reason and identity of one DLQ message. */
export function toDeadLetter(message: Message): DeadLetter {
  const attempt = Number(attr(message, 'attempt'));
  const sent = Number(message.Attributes?.SentTimestamp);
  const jobId = jobIdOf(message);
  let type = attr(message, 'type');
  if (!type) {
    try {
      const parsed = (JSON.parse(message.Body ?? '') as { type?: unknown }).type;
      if (typeof parsed === 'string') type = parsed;
    } catch {
      // Not a job envelope; the type stays unknown.
    }
  }
  const optional = {
    jobId,
    type,
    errorCode: attr(message, 'errorCode'),
    errorMessage: attr(message, 'errorMessage'),
    attempt: Number.isFinite(attempt) ? attempt : undefined,
    failedAt: attr(message, 'failedAt'),
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
    sourceMessageId: attr(message, 'sourceMessageId'),
  };
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)),
  };
}

/**
 * The messages of a DLQ with their failure reasons, read without losing them
 * (see {@link peekMessages}: each is made visible again before this returns).
 */
export async function listDeadLetters(
  sqs: SQSClient,
  dlqUrl: string,
  options: { max?: number; budgetMs?: number } = {},
): Promise<DeadLetter[]> {
  const messages = await peekMessages(sqs, dlqUrl, { max: options.max ?? 100, budgetMs: options.budgetMs ?? 10_000 });
  return messages.map(toDeadLetter).sort((a, b) => (a.sentAt ?? '').localeCompare(b.sentAt ?? ''));
}

/** Deletes every message of a DLQ. SQS allows one purge per queue every 60 s. */
export async function purgeDeadLetters(sqs: SQSClient, dlqUrl: string): Promise<void> {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: dlqUrl }));
}
