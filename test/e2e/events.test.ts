import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { TAP_PREFIX } from '../../cli/targets/event-tap.js';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { waitFor } from '../helpers/wait.js';
import { deployForE2e, type E2eDeployment } from './support/deployment.js';
import { JobApiClient } from './support/scenario.js';

// Job events on the deployed stack: the workers' PutEvents reach the emulator's EventBridge, and a rule a
// user attaches to the stack's bus (JobEventBusName) routes them to the user's own queue.

let deployment: E2eDeployment;
let events: EventBridgeClient;
let api: JobApiClient;
let busName: string;
const dir = mkdtempSync(path.join(tmpdir(), 'qw-e2e-events-'));

beforeAll(async () => {
  deployment = await deployForE2e();
  events = new EventBridgeClient({
    endpoint: deployment.endpoint,
    region: LOCAL_REGION,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
  busName = deployment.outputs.JobEventBusName ?? '';
});

afterAll(async () => {
  events?.destroy();
  await deployment?.teardown();
  rmSync(dir, { recursive: true, force: true });
});

/** Every message that reaches `queueUrl` within `ms`, parsed and deleted. */
async function drain(queueUrl: string, until: (bodies: unknown[]) => boolean): Promise<unknown[]> {
  const bodies: unknown[] = [];
  await waitFor(
    async () => {
      const out = await deployment.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      for (const m of out.Messages ?? []) bodies.push(JSON.parse(m.Body ?? 'null'));
      if (out.Messages?.length) {
        await deployment.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: out.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
      return bodies;
    },
    until,
    { timeoutMs: 90_000, intervalMs: 0, what: `messages on ${queueUrl}` },
  );
  return bodies;
}

describe('job events on the emulator', () => {
  it("routes each finished job's one event through a rule the user attached to the stack's bus, to the user's queue", async () => {
    // Prepare: the user's queue and rule, as a user would add them to the deployed stack's bus
    expect(busName).toMatch(/JobEventsBus/);
    const { QueueUrl: queueUrl = '' } = await deployment.sqs.send(
      new CreateQueueCommand({ QueueName: `${deployment.stackName}-my-job-events` }),
    );
    const arn = await deployment.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    await events.send(
      new PutRuleCommand({
        Name: 'MyJobEvents',
        EventBusName: busName,
        EventPattern: JSON.stringify({ source: ['queue-workers'], 'detail-type': ['Job Succeeded', 'Job Failed'] }),
      }),
    );
    await events.send(
      new PutTargetsCommand({
        Rule: 'MyJobEvents',
        EventBusName: busName,
        Targets: [
          {
            Id: 'mine',
            Arn: arn.Attributes?.QueueArn,
            InputTransformer: {
              InputPathsMap: { kind: '$.detail-type', job: '$.detail.jobId', attempts: '$.detail.attempts' },
              InputTemplate: '{"kind": <kind>, "job": <job>, "attempts": <attempts>}',
            },
          },
        ],
      }),
    );

    // Act
    const ok = (await api.submit({ type: 'simulate', payload: { failTimes: 1 } })).body.jobId;
    const fatal = (await api.submit({ type: 'simulate', payload: { fatal: true } })).body.jobId;
    await Promise.all([api.waitForTerminal(ok), api.waitForTerminal(fatal)]);
    const bodies = await drain(queueUrl, (b) => b.length >= 2);
    // A second announcement of either job would arrive within this time.
    bodies.push(...(await drain(queueUrl, () => true)));
    await sleep(3_000);
    bodies.push(...(await drain(queueUrl, () => true)));

    // Assess
    expect(bodies).toEqual(
      expect.arrayContaining([
        { kind: 'Job Succeeded', job: ok, attempts: 2 },
        { kind: 'Job Failed', job: fatal, attempts: 1 },
      ]),
    );
    expect(bodies).toHaveLength(2);
    await events.send(new RemoveTargetsCommand({ Rule: 'MyJobEvents', EventBusName: busName, Ids: ['mine'] }));
    await events.send(new DeleteRuleCommand({ Name: 'MyJobEvents', EventBusName: busName }));
    await deployment.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  });

  it('qw events --follow shows new job events through a temporary tap, and removes the tap when stopped', async () => {
    // Prepare
    let stdout = '';
    let stderr = '';
    const stop = new AbortController();
    const io: CliIo = {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      stdin: Readable.from([]),
      env: {},
      cwd: dir,
      signal: stop.signal,
    };
    const argv = ['events', '--follow', '--target', 'emulator', '--endpoint', deployment.endpoint];

    // Act
    const code = main([...argv, '--stack', deployment.stackName], io);
    await waitFor(
      async () => stderr,
      (err) => err.includes('Following') || err.includes('qw:'),
      { timeoutMs: 30_000, intervalMs: 100, what: 'qw events to listen' },
    );
    const rules = await events.send(new ListRulesCommand({ EventBusName: busName, NamePrefix: TAP_PREFIX }));
    const jobId = (await api.submit({ type: 'simulate', payload: {} })).body.jobId;
    await api.waitForTerminal(jobId);
    await waitFor(
      async () => stdout,
      (out) => out.includes(jobId),
      { timeoutMs: 60_000, intervalMs: 250, what: 'the job event in qw events --follow' },
    );
    stop.abort();

    // Assess
    expect(await code).toBe(0);
    expect(stderr).toMatch(new RegExp(`Following bus ${busName}, through a temporary rule and queue`));
    expect(stdout).toMatch(new RegExp(`Job Succeeded  simulate ${jobId}  attempts 1`));
    expect(rules.Rules?.map((r) => r.Name)).toEqual([expect.stringMatching(/^qw-events-tap-/)]);
    const after = await events.send(new ListRulesCommand({ EventBusName: busName, NamePrefix: TAP_PREFIX }));
    expect(after.Rules ?? []).toEqual([]);
    const queues = await deployment.sqs.send(new ListQueuesCommand({ QueueNamePrefix: TAP_PREFIX }));
    expect(queues.QueueUrls ?? []).toEqual([]);
  });
});
