import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { LocalPlan, QueueDef } from '../plan.js';
import type { Output } from '../terminal.js';

/** Where the live status reads from. */
export interface LiveStatusSource {
  readonly sqs: SQSClient;
  readonly queueUrl: (queueName: string) => string;
  readonly plan: () => LocalPlan;
  /** No more lines are drawn once this is true. */
  readonly stopping: () => boolean;
}

/**
 * One live line per queue that is not a DLQ, redrawn every second: messages
 * visible, in flight, and in its DLQ. Only drawn where someone is watching (a
 * terminal). Returns the function that stops it.
 */
export function startLiveStatus(source: LiveStatusSource, out: Output): () => void {
  if (!out.live) return () => undefined;
  const refresh = async () => {
    const lines = await statusLines(source);
    if (!source.stopping()) out.status(lines);
  };
  const timer = setInterval(() => void refresh(), 1000);
  timer.unref();
  void refresh();
  return () => clearInterval(timer);
}

async function statusLines(source: LiveStatusSource): Promise<string[]> {
  const plan = source.plan();
  const dlqs = new Set(plan.queues.map((q) => q.deadLetterQueue).filter(Boolean));
  const count = async (q: QueueDef) => {
    const attrs = await source.sqs
      .send(
        new GetQueueAttributesCommand({
          QueueUrl: source.queueUrl(q.name),
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      )
      .then((o) => o.Attributes ?? {})
      .catch(() => ({}) as Record<string, string>);
    return {
      visible: attrs.ApproximateNumberOfMessages ?? '?',
      inFlight: attrs.ApproximateNumberOfMessagesNotVisible ?? '?',
    };
  };
  return Promise.all(
    plan.queues
      .filter((q) => !dlqs.has(q.logicalId))
      .map(async (q) => {
        const c = await count(q);
        const dlq = plan.queues.find((d) => d.logicalId === q.deadLetterQueue);
        const d = dlq ? (await count(dlq)).visible : '-';
        return `  ${q.name.padEnd(36)} visible ${c.visible.padStart(6)}   in flight ${c.inFlight.padStart(6)}   DLQ ${d.padStart(6)}`;
      }),
  );
}
