import { EventBridgeClient, PutEventsCommand, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventRouter } from '../../../../local/core/events/event-router.js';
import { type EventsEndpoint, startEventsEndpoint } from '../../../../local/core/events/put-events-server.js';
import { RecentEvents } from '../../../../local/core/events/recent-events.js';
import { UsageMeter } from '../../../../local/core/metering/usage.js';
import type { LocalPlan } from '../../../../local/core/plan.js';
import { waitFor } from '../../../helpers/wait.js';

const plan = {
  stackName: 'Shop',
  region: 'eu-west-1',
  queues: [{ logicalId: 'Probe', name: 'Shop-probe', arn: 'arn:probe', fifo: false, attributes: {} }],
  functions: [{ logicalId: 'Handler', displayName: 'Handler' }],
  eventBuses: [{ logicalId: 'Bus', name: 'jobs', arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/jobs' }],
  eventRules: [
    {
      logicalId: 'OnFailed',
      name: 'OnFailed',
      arn: 'arn:rule/OnFailed',
      busName: 'jobs',
      pattern: { source: ['queue-workers'], 'detail-type': ['Job Failed'] },
      enabled: true,
      targets: [
        {
          id: 'ToProbe',
          kind: 'sqs',
          queueLogicalId: 'Probe',
          input: { kind: 'transformer', pathsMap: { id: '$.detail.jobId' }, template: '{"failed": <id>}' },
        },
        { id: 'ToFn', kind: 'lambda', functionLogicalId: 'Handler', input: { kind: 'event' } },
      ],
    },
    {
      logicalId: 'Off',
      name: 'Off',
      arn: 'arn:rule/Off',
      busName: 'jobs',
      pattern: { source: ['queue-workers'] },
      enabled: false,
      targets: [{ id: 'ToProbe', kind: 'sqs', queueLogicalId: 'Probe', input: { kind: 'event' } }],
    },
  ],
} as unknown as LocalPlan;

const sent: { queue: string; body: string }[] = [];
const invoked: { fn: string; event: unknown }[] = [];
const router = new EventRouter({
  plan: () => plan,
  sendMessage: async ({ queueName, body }) => void sent.push({ queue: queueName, body }),
  invoke: async (fn, event) => {
    invoked.push({ fn, event });
    return { ok: false, errorType: 'Error', errorMessage: 'handler failed', durationMs: 1 } as never;
  },
  log: () => undefined,
});
let endpoint: EventsEndpoint;
let client: EventBridgeClient;

beforeAll(async () => {
  endpoint = await startEventsEndpoint(() => (entries) => router.put(entries));
  client = new EventBridgeClient({
    endpoint: endpoint.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
});
afterAll(async () => {
  client.destroy();
  await endpoint.stop();
});

describe('the local EventBridge', () => {
  it('delivers an event put with the SDK to the targets of the enabled rules it matches, each with its input', async () => {
    // Act
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'jobs', Source: 'queue-workers', DetailType: 'Job Failed', Detail: '{"jobId":"j-1"}' },
          { EventBusName: 'jobs', Source: 'queue-workers', DetailType: 'Job Succeeded', Detail: '{"jobId":"j-2"}' },
        ],
      }),
    );

    // Assess
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.map((e) => typeof e.EventId)).toEqual(['string', 'string']);
    expect(sent).toEqual([{ queue: 'Shop-probe', body: '{"failed": "j-1"}' }]);
    expect(invoked).toEqual([
      {
        fn: 'Handler',
        event: expect.objectContaining({
          id: out.Entries?.[0]?.EventId,
          'detail-type': 'Job Failed',
          source: 'queue-workers',
          account: '000000000000',
          region: 'eu-west-1',
          detail: { jobId: 'j-1' },
        }),
      },
    ]);
    const [failed, succeeded] = router.recent.list();
    expect(succeeded?.deliveries).toEqual([]);
    await waitFor(
      async () => failed?.deliveries.every((d) => d.status !== 'pending'),
      (settled) => settled === true,
      { timeoutMs: 2_000, intervalMs: 5, what: 'the deliveries to settle' },
    );
    expect(failed?.deliveries).toEqual([
      { rule: 'OnFailed', targetId: 'ToProbe', target: 'sqs Shop-probe', status: 'delivered' },
      {
        rule: 'OnFailed',
        targetId: 'ToFn',
        target: 'lambda Handler',
        status: 'failed',
        error: 'Error: handler failed',
      },
    ]);
  });

  it('answers each entry it refuses with its error, and takes the others', async () => {
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'nope', Source: 's', DetailType: 'd', Detail: '{}' },
          { Source: 's', DetailType: 'd', Detail: 'not json' },
          { Source: 's', DetailType: 'd' },
          { Source: 's', DetailType: 'd', Detail: '{}' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(3);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'NotFoundException',
      'MalformedDetail',
      'InvalidArgument',
      'ok',
    ]);
  });

  it('refuses a request of more than 10 entries, and any operation but PutEvents', async () => {
    const eleven = Array.from({ length: 11 }, () => ({ Source: 's', DetailType: 'd', Detail: '{}' }));

    await expect(client.send(new PutEventsCommand({ Entries: eleven }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(client.send(new PutRuleCommand({ Name: 'r', EventPattern: '{}' }))).rejects.toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringMatching(/PutEvents only, not PutRule/),
    });
  });
});

describe('metering the local EventBridge', () => {
  it('counts what the calling function publishes, each 64 KB chunk of an entry as one event, refused entries not at all', async () => {
    // Prepare
    const meter = new UsageMeter();
    const metered = await startEventsEndpoint(() => (entries) => router.put(entries), meter);
    const worker = new EventBridgeClient({
      endpoint: metered.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      userAgentAppId: meter.appIdOf('SimulateWorker'),
    });
    const big = JSON.stringify({ blob: 'x'.repeat(70_000) });

    // Act
    await worker.send(
      new PutEventsCommand({
        Entries: [
          { Source: 's', DetailType: 'd', Detail: '{}' },
          { Source: 's', DetailType: 'd', Detail: big },
          { Source: 's', DetailType: 'd', Detail: 'not json' },
        ],
      }),
    );
    worker.destroy();
    await metered.stop();

    // Assess
    expect(meter.report().operations).toEqual([
      expect.objectContaining({
        caller: 'SimulateWorker',
        service: 'events',
        operation: 'PutEvents',
        calls: 1,
        billedRequests: 1 + 2,
      }),
    ]);
  });
});

describe('recent events', () => {
  it('keeps the newest items with growing sequence numbers, and lists those after a cursor', () => {
    const recent = new RecentEvents<{ seq: number }>(3);
    for (let i = 0; i < 5; i++) recent.add((seq) => ({ seq }));

    expect(recent.list().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(recent.list(4).map((e) => e.seq)).toEqual([5]);
    expect(recent.list(0, 2).map((e) => e.seq)).toEqual([4, 5]);
    expect(recent.list(5)).toEqual([]);
    expect(recent.nextSeq).toBe(6);
  });
});
