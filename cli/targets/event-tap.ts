import { randomBytes } from 'node:crypto';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { ClientConfig } from './clients.js';
import type { EventFeed, FeedEvent, FeedItem } from './event-feed.js';

/** Every tap's rule and queue name starts with this, so a later `qw events` can find one a killed run left. */
export const TAP_PREFIX = 'qw-events-tap-';

/** How long a tap lives unless its `qw events` renews it; one left by a killed run is removed after that. */
const TAP_LEASE_MS = 60 * 60 * 1000;

/** Renewed this often while it runs. */
const RENEW_MS = 10 * 60 * 1000;

/** Matches every event on the bus: `prefix ""` matches any source. */
const EVERY_EVENT = JSON.stringify({ source: [{ prefix: '' }] });

const leaseText = (until: Date) => `qw events tap until ${until.toISOString()}`;

/**
 * A deployed stack's bus, followed through a tap that exists only while
 * `qw events --follow` runs: a rule matching every event on the bus and a
 * queue of its own (messages kept 5 minutes), removed when it stops. Several
 * operators can follow at once; nothing is taken from the stack's own rules,
 * and nothing costs anything while no one follows. A tap left by a run that
 * was killed expires after an hour and the next `qw events` removes it.
 */
export function busTapFeed(config: ClientConfig, sqs: SQSClient, busName: string): EventFeed {
  return {
    description: `bus ${busName}, through a temporary rule and queue that are removed when this stops`,
    async *follow(signal, ready) {
      const events = new EventBridgeClient(config);
      try {
        await removeExpiredTaps(events, sqs, busName, new Date());
        const tap = await openTap(events, sqs, busName);
        try {
          ready();
          yield* receive(sqs, tap.queueUrl, signal, () => tap.renew());
        } finally {
          await tap.close();
        }
      } finally {
        events.destroy();
      }
    },
  };
}

interface Tap {
  readonly queueUrl: string;
  renew(): Promise<void>;
  close(): Promise<void>;
}

async function openTap(events: EventBridgeClient, sqs: SQSClient, busName: string): Promise<Tap> {
  const name = `${TAP_PREFIX}${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  const { QueueUrl: queueUrl = '' } = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { MessageRetentionPeriod: '300', SqsManagedSseEnabled: 'true' },
    }),
  );
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = attributes.Attributes?.QueueArn ?? '';
  const putRule = () =>
    events.send(
      new PutRuleCommand({
        Name: name,
        EventBusName: busName,
        EventPattern: EVERY_EVENT,
        Description: leaseText(new Date(Date.now() + TAP_LEASE_MS)),
      }),
    );
  const close = async () => {
    await deleteTap(events, sqs, busName, name, queueUrl);
  };
  try {
    const { RuleArn: ruleArn } = await putRule();
    // EventBridge may send to the queue only for this rule.
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn,
          Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
        },
      ],
    };
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { Policy: JSON.stringify(policy) } }),
    );
    await events.send(
      new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: 'qw', Arn: queueArn }] }),
    );
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { queueUrl, renew: async () => void (await putRule()), close };
}

/** Yields what reaches the tap's queue until `signal` aborts, deleting what it yielded. */
async function* receive(
  sqs: SQSClient,
  queueUrl: string,
  signal: AbortSignal | undefined,
  renew: () => Promise<void>,
): AsyncIterable<FeedItem> {
  let renewed = Date.now();
  while (!signal?.aborted) {
    if (Date.now() - renewed > RENEW_MS) {
      await renew();
      renewed = Date.now();
    }
    const out = await sqs
      .send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 5 }), {
        ...(signal ? { abortSignal: signal } : {}),
      })
      .catch((error: Error) => {
        if (signal?.aborted) return { Messages: [] };
        throw error;
      });
    const messages = out.Messages ?? [];
    const items = messages.map((m) => ({ event: parseEvent(m.Body) }));
    items.sort((a, b) => String(a.event.time).localeCompare(String(b.event.time)));
    yield* items;
    if (messages.length) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
}

function parseEvent(body: string | undefined): FeedEvent {
  try {
    return JSON.parse(body ?? '{}') as FeedEvent;
  } catch {
    return { detail: { body } };
  }
}

/** Removes the taps on `busName` whose lease ran out: left by a `qw events` that was killed. */
export async function removeExpiredTaps(
  events: EventBridgeClient,
  sqs: SQSClient,
  busName: string,
  now: Date,
): Promise<string[]> {
  const { Rules = [] } = await events.send(new ListRulesCommand({ EventBusName: busName, NamePrefix: TAP_PREFIX }));
  const removed: string[] = [];
  for (const rule of Rules) {
    const until = Date.parse(rule.Description?.replace(/^qw events tap until /, '') ?? '');
    if (!rule.Name || !(until < now.getTime())) continue;
    const queueUrl = await sqs
      .send(new GetQueueUrlCommand({ QueueName: rule.Name }))
      .then((r) => r.QueueUrl)
      .catch(() => undefined);
    await deleteTap(events, sqs, busName, rule.Name, queueUrl);
    removed.push(rule.Name);
  }
  return removed;
}

async function deleteTap(
  events: EventBridgeClient,
  sqs: SQSClient,
  busName: string,
  name: string,
  queueUrl: string | undefined,
): Promise<void> {
  const targets = await events
    .send(new ListTargetsByRuleCommand({ Rule: name, EventBusName: busName }))
    .then((r) => r.Targets ?? [])
    .catch(() => []);
  if (targets.length) {
    await events.send(
      new RemoveTargetsCommand({ Rule: name, EventBusName: busName, Ids: targets.map((t) => t.Id ?? '') }),
    );
  }
  await events.send(new DeleteRuleCommand({ Name: name, EventBusName: busName })).catch(() => undefined);
  if (queueUrl) await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
}
