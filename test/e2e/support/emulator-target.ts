import type { SQSClient } from '@aws-sdk/client-sqs';
import { peekMessages } from '../../../lambda/shared/redrive.js';
import { outputId } from '../../../lib/queue-workers-stack.js';
import type { E2eDeployment } from './deployment.js';
import type { DlqMessage, ScenarioTarget } from './scenario.js';

/**
 * Reads every message in a queue (up to 200) and makes them visible again, so a
 * read never consumes anything a later assertion needs.
 */
export async function peekQueue(sqs: SQSClient, queueUrl: string): Promise<DlqMessage[]> {
  const messages = await peekMessages(sqs, queueUrl, { max: 200, budgetMs: 20_000 });
  return messages.map((m) => ({
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
      const key = outputId('DlqUrl', jobType);
      const url = deployment.outputs[key];
      if (!url) throw new Error(`The stack has no output ${key}.`);
      return peekQueue(deployment.sqs, url);
    },
  };
}
