import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { E2eDeployment } from './deployment.js';
import type { DlqMessage, ScenarioTarget } from './scenario.js';

/**
 * Reads every message in a queue and makes them visible again, so a read
 * never consumes anything a later assertion needs.
 */
export async function peekQueue(sqs: SQSClient, queueUrl: string): Promise<DlqMessage[]> {
  const seen = new Map<string, Message>();
  for (let round = 0; round < 20; round++) {
    const res = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 10,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const batch = res.Messages ?? [];
    if (batch.length === 0) break;
    for (const m of batch) if (m.MessageId) seen.set(m.MessageId, m);
  }
  const handles = [...seen.values()].filter((m) => m.ReceiptHandle);
  for (let i = 0; i < handles.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: handles.slice(i, i + 10).map((m, j) => ({
          Id: String(j),
          ReceiptHandle: m.ReceiptHandle as string,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return [...seen.values()].map((m) => ({
    body: m.Body ?? '',
    attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
  }));
}

/** The scenario target for a stack deployed to the emulator: SigV4 over HTTP, DLQs via SQS. */
export function emulatorTarget(deployment: E2eDeployment): ScenarioTarget {
  return {
    apiBase: deployment.apiBase,
    signed: true,
    readDlq(jobType) {
      const key = `DlqUrl${jobType.replace(/(^|[^a-zA-Z0-9])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase())}`;
      const url = deployment.outputs[key];
      if (!url) throw new Error(`The stack has no output ${key}.`);
      return peekQueue(deployment.sqs, url);
    },
  };
}
