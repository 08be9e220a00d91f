import { DescribeContinuousBackupsCommand, DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { createJobClient } from '@queue-workers/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../emulator/paths.js';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { startLocal } from '../../local/index.js';
import { awsCall, awsJsonCall } from './support/aws-call.js';
import { deployForE2e, type E2eDeployment } from './support/deployment.js';
import { type EmulatorInfo, emulatorInfo } from './support/emulator-info.js';
import { emulatorTarget, peekQueue } from './support/emulator-target.js';
import {
  comparable,
  JobApiClient,
  PARTIAL_BATCH,
  runScenario,
  type ScenarioOutcome,
  type ScenarioTarget,
} from './support/scenario.js';

// One deployment and one scenario run for the whole file; the tests below assess what it observed.
let deployment: E2eDeployment;
let outcome: ScenarioOutcome;
let info: EmulatorInfo;

beforeAll(async () => {
  // The test-only fault point is on, for requests that ask for it: see 'the submit path on the emulator'.
  deployment = await deployForE2e({ context: { testOnlyCrashBetweenSteps: '0' } });
  info = await emulatorInfo(deployment.endpoint);
  outcome = await runScenario(emulatorTarget(deployment));
  const t = deployment.timings;
  console.log(
    `[e2e] ${info.label} at ${deployment.endpoint}: emulator start ${t.emulatorSeconds.toFixed(1)} s, bootstrap ${t.bootstrapSeconds.toFixed(1)} s, deploy ${t.deploySeconds.toFixed(1)} s, scenario ${outcome.seconds.toFixed(1)} s (logs in ${deployment.logDir})`,
  );
});

afterAll(async () => {
  await deployment?.teardown();
});

interface LogEvent {
  readonly message: string;
}

/** The simulate worker's JSON log lines, from its CloudWatch log group on the emulator. */
function workerLogLines(): Promise<Record<string, unknown>[]> {
  return logLines('SimulateWorkerFunctionLogs');
}

/** A function's JSON log lines, from its CloudWatch log group (by the group's logical id prefix) on the emulator. */
async function logLines(logGroup: string): Promise<Record<string, unknown>[]> {
  const logGroupName = deployment.physicalId('AWS::Logs::LogGroup', logGroup);
  const lines: Record<string, unknown>[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsJsonCall<{ events?: LogEvent[]; nextToken?: string }>(
      deployment.endpoint,
      'logs',
      'Logs_20140328.FilterLogEvents',
      { logGroupName, ...(nextToken ? { nextToken } : {}) },
    );
    for (const e of page.events ?? []) {
      if (!e.message.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(e.message) as Record<string, unknown>);
      } catch {
        // A line that merely starts with a brace.
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return lines;
}

describe('a worker that stops during the last attempt, on the emulator', () => {
  it('ends the job failed (DEAD_LETTERED) with its message in the DLQ: the worker dead-letters the extra receive, or the reconciler fails it', async () => {
    // Prepare: two retryable failures, then the process ends on attempt 3 of 3
    const api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
    const res = await api.submit({ type: 'simulate', payload: { failTimes: 2, crashOnAttempt: 3 } });
    expect(res.status).toBe(202);

    // Act: SQS hides the message for the 180 s visibility timeout after the crash, then hands it over once more
    const job = await api.waitForTerminal(res.body.jobId, 420_000);

    // Assess
    expect(job).toMatchObject({ status: 'failed', attempts: 3, error: { code: 'DEAD_LETTERED' } });
    const dlq = await emulatorTarget(deployment).readDlq('simulate');
    expect(dlq.map((m) => JSON.parse(m.body).jobId)).toContain(res.body.jobId);
  }, 480_000);
});

describe('the submit path on the emulator', () => {
  it.each([
    ['queued', 'between queueing the job and recording it'],
    ['recorded', 'after recording the job, before answering'],
  ])(
    'runs a keyed job whose first request stopped the API %s (%s): the retry with the key gets 202, the job succeeds once',
    async (step) => {
      // Prepare
      const api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
      const key = `e2e-crash-${step}-${Date.now()}`;
      const job = { type: 'simulate', payload: { sleepMs: 10 } };

      // Act: the first request ends the API's execution environment after the step; the client retries with the key
      const first = await api.submit(job, { 'idempotency-key': key, 'x-qw-test-crash': step });
      const retry = await api.submit(job, { 'idempotency-key': key });
      const done = await api.waitForTerminal(retry.body.jobId, 120_000);
      const again = await api.submit(job, { 'idempotency-key': key });

      // Assess: no answer the first time, as the API's environment ended after the step; then one job for the
      // key, run to its end
      expect(first.status).toBeGreaterThanOrEqual(500);
      const apiLines = (await logLines('ApiFunctionLogs')).map((l) => l.message);
      expect(apiLines).toContain(`[fault] the API's environment ends after ${step}`);
      expect(retry.status).toBe(202);
      expect(done).toMatchObject({ jobId: retry.body.jobId, status: 'succeeded', attempts: 1 });
      expect(again.status).toBe(202);
      expect(again.body.jobId).toBe(retry.body.jobId);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
    },
    180_000,
  );
});

describe('cancellation on the emulator', () => {
  it('cancels a delayed job before it runs, so it never runs; a finished job is a 409', async () => {
    const api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
    const res = await api.submit({ type: 'simulate', payload: {}, delaySeconds: 5 });

    const cancelled = await api.jobs.cancel(res.body.jobId);
    await new Promise((r) => setTimeout(r, 12_000));

    expect(cancelled).toMatchObject({ jobId: res.body.jobId, status: 'cancelled' });
    expect((await api.get(res.body.jobId)).body).toMatchObject({ status: 'cancelled', attempts: 0 });
    const finished = await api.jobs.request('POST', `/jobs/${outcome.jobs.ok?.jobId}/cancel`);
    expect(finished.status).toBe(409);
    expect(finished.body).toMatchObject({ error: { code: 'JOB_FINISHED', details: { status: 'succeeded' } } });
  }, 60_000);

  it('asks a running job to stop; it stops through its signal and ends cancelled', async () => {
    const api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
    const res = await api.submit({ type: 'simulate', payload: { sleepMs: 20_000, reportProgress: true } });
    const jobId = res.body.jobId;
    const deadline = Date.now() + 60_000;
    while ((await api.get(jobId)).body.status !== 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }

    const asked = await api.jobs.request('POST', `/jobs/${jobId}/cancel`);
    const job = await api.waitForTerminal(jobId, 60_000);

    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ status: 'running', cancelRequested: true });
    expect(job).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(typeof job.progress).toBe('number');
  }, 150_000);
});

describe('the deployed stack on the emulator', () => {
  it('runs a simulate job to succeeded on its first attempt', () => {
    expect(outcome.jobs.ok).toMatchObject({ status: 'succeeded', attempts: 1, result: { attempt: 1 } });
  });

  it('retries a job that fails twice and succeeds on attempt 3', () => {
    expect(outcome.jobs.failTwice).toMatchObject({ status: 'succeeded', attempts: 3, result: { attempt: 3 } });
  });

  it('marks a fatal job failed and parks its message, with the reason, in the DLQ', () => {
    expect(outcome.jobs.fatal).toMatchObject({
      status: 'failed',
      attempts: 1,
      errorCode: 'NON_RETRYABLE',
      errorMessage: 'simulated fatal failure',
    });
    expect(outcome.dlq).toEqual([{ name: 'fatal', errorMessage: 'simulated fatal failure' }]);
  });

  it('retries only the failed record of a partial batch', async () => {
    // Prepare
    const batchIds = new Map(PARTIAL_BATCH.map((b) => [outcome.jobs[b.name]?.jobId, b.name]));

    // Act
    const lines = (await workerLogLines()).filter((l) => typeof l.jobId === 'string' && batchIds.has(l.jobId));

    // Assess
    expect(outcome.batch).toEqual({ accepted: 4, rejected: 0 });
    for (const b of PARTIAL_BATCH) {
      const expected = b.name === 'batchFailOnce' ? { attempts: 2, result: { attempt: 2 } } : { attempts: 1 };
      expect(outcome.jobs[b.name], b.name).toMatchObject({ status: 'succeeded', ...expected });
    }
    // The worker logs the failed attempt; that the line is found shows its logs are readable here.
    const failing = outcome.jobs.batchFailOnce?.jobId;
    expect(lines.some((l) => l.jobId === failing && l.attempt === 1)).toBe(true);
    // A redelivered record would be logged with attempt >= 2 (as a duplicate); none of the successes was.
    const redelivered = lines.filter((l) => l.jobId !== failing && Number(l.attempt) >= 2);
    expect(redelivered).toEqual([]);
  });

  it('returns the same job for a repeated idempotency key, marked as a replay', () => {
    expect(outcome.idempotency).toEqual({ firstStatus: 202, secondStatus: 202, sameJob: true, replayedHeader: 'true' });
    expect(outcome.jobs.idempotent).toMatchObject({ status: 'succeeded', attempts: 1 });
  });

  it('reports every job through GET /jobs/{id}, and 404 for an unknown id', async () => {
    // Prepare
    const api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });

    // Act
    const views = await Promise.all(
      Object.entries(outcome.jobs).map(async ([name, j]) => [name, await api.get(j.jobId)] as const),
    );
    const unknown = await api.get('00000000-0000-4000-8000-000000000000');

    // Assess
    for (const [name, view] of views) {
      const j = outcome.jobs[name];
      expect(view.status, name).toBe(200);
      expect(view.body, name).toMatchObject({
        jobId: j?.jobId,
        type: 'simulate',
        status: j?.status,
        attempts: j?.attempts,
      });
    }
    expect(unknown.status).toBe(404);
  });

  it('refuses a request without a signature (IAM auth)', async () => {
    const unsigned = createJobClient({ url: deployment.apiBase, auth: 'none' });
    const res = await unsigned.request('POST', '/jobs', { body: { type: 'simulate' } });
    expect(res.status).toBe(403);
  });
});

/**
 * Each test here pins down one way the emulator differs from AWS, or checks one
 * it once got wrong. On the pinned ministack it expects the difference (so a
 * ministack upgrade that fixes it fails the test, and the gap list gets updated);
 * on any other emulator it expects what AWS does.
 */
describe('emulator differences from AWS', () => {
  const queueAttributes = async (outputKey: string) => {
    const url = deployment.outputs[outputKey];
    const res = await deployment.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }));
    return res.Attributes ?? {};
  };

  it('keeps the RedrivePolicy, RedriveAllowPolicy and SSE of queues created by CloudFormation (ministack < 1.5.20 dropped them)', async () => {
    // Act
    const queue = await queueAttributes('QueueUrlSimulate');
    const dlq = await queueAttributes('DlqUrlSimulate');

    // Assess
    expect(JSON.parse(queue.RedrivePolicy ?? 'null')).toEqual({
      deadLetterTargetArn: dlq.QueueArn,
      maxReceiveCount: 4, // simulate's 3 attempts, plus the receive the worker dead-letters itself
    });
    expect(JSON.parse(queue.RedriveAllowPolicy ?? 'null')).toEqual({ redrivePermission: 'denyAll' });
    expect(JSON.parse(dlq.RedriveAllowPolicy ?? 'null')).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [queue.QueueArn],
    });
    expect(queue.SqsManagedSseEnabled).toBe('true');
    expect(queue.VisibilityTimeout).toBe('180');
  });

  it('DynamoDB TimeToLiveSpecification from CloudFormation: ignored by ministack 1.5.33 (AWS enables it)', async () => {
    const res = await deployment.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: deployment.outputs.JobTableName }),
    );
    const status = res.TimeToLiveDescription?.TimeToLiveStatus;
    if (info.isPinnedMinistack) expect(status).toBe('DISABLED');
    else expect(res.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });

  it('DynamoDB PointInTimeRecoverySpecification from CloudFormation: ignored by ministack 1.5.33 (AWS enables it)', async () => {
    const res = await deployment.dynamodb.send(
      new DescribeContinuousBackupsCommand({ TableName: deployment.outputs.JobTableName }),
    );
    const status = res.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
    expect(status).toBe(info.isPinnedMinistack ? 'DISABLED' : 'ENABLED');
  });

  it('SNS KmsMasterKeyId from CloudFormation: ignored by ministack 1.5.33 (AWS encrypts the alarm topic)', async () => {
    const res = await awsCall(deployment.endpoint, 'sns', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        Action: 'GetTopicAttributes',
        Version: '2010-03-31',
        TopicArn: deployment.outputs.AlarmTopicArn ?? '',
      }).toString(),
    });
    expect(res.status).toBe(200);
    const hasKey = /<key>KmsMasterKeyId<\/key>\s*<value>[^<]+<\/value>/.test(String(res.body));
    expect(hasKey).toBe(!info.isPinnedMinistack);
  });

  it('IAM auth with a wrong secret: accepted by ministack 1.5.33, which only checks that a signature is present (AWS answers 403)', async () => {
    const wrongSecret = createJobClient({
      url: deployment.apiBase,
      auth: { iam: { accessKeyId: 'AKIDWRONG', secretAccessKey: 'not-the-secret' }, region: LOCAL_REGION },
    });
    const res = await wrongSecret.request('POST', '/jobs', { body: { type: 'simulate', payload: {} } });
    expect(res.status).toBe(info.isPinnedMinistack ? 202 : 403);
  });

  it('SQS StartMessageMoveTask (DLQ redrive): not implemented by ministack 1.5.33', async () => {
    const dlq = await queueAttributes('DlqUrlSimulate');
    const attempt = deployment.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlq.QueueArn }));
    if (info.isPinnedMinistack) await expect(attempt).rejects.toThrow(/StartMessageMoveTask is not valid/);
    else await expect(attempt).resolves.toMatchObject({ TaskHandle: expect.any(String) });
  });

  it('API Gateway access logs: not written by ministack 1.5.33 (AWS writes one line per request)', async () => {
    const logGroupName = deployment.physicalId('AWS::Logs::LogGroup', 'ApiAccessLogs');
    const page = await awsJsonCall<{ events?: unknown[] }>(
      deployment.endpoint,
      'logs',
      'Logs_20140328.FilterLogEvents',
      {
        logGroupName,
      },
    );
    const count = page.events?.length ?? 0;
    if (info.isPinnedMinistack) expect(count).toBe(0);
    else expect(count).toBeGreaterThan(0);
  });

  it('the proxy event on a path-style invoke: ministack 1.5.33 gives the stage path and no X-Forwarded-Proto, so statusUrl is not the URL called', async () => {
    // Prepare
    const api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });

    // Act
    const res = await api.submit({ type: 'simulate', payload: {} });

    // Assess
    const { host } = new URL(deployment.endpoint);
    const id = res.body.jobId;
    expect(res.body.statusUrl).toBe(
      info.isPinnedMinistack ? `https://${host}/v1/jobs/${id}` : `${deployment.apiBase}/jobs/${id}`,
    );
  });
});

describe('parity between the local runtime and the emulator', () => {
  it('gives the same statuses, attempt counts and DLQ contents for the same scenario', async () => {
    // Prepare
    const local = await startLocal({ port: 0, projectDir: PROJECT_ROOT });
    const client = new SQSClient({
      endpoint: local.sqsEndpoint,
      region: local.region,
      credentials: { ...THROWAWAY_CREDENTIALS },
    });
    try {
      const target: ScenarioTarget = {
        apiBase: local.url.replace(/\/+$/, ''),
        signed: true,
        async readDlq(jobType) {
          const urls = (await client.send(new ListQueuesCommand({}))).QueueUrls ?? [];
          const dlq = urls.find((u) => u.endsWith(`-${jobType}-dlq`));
          if (!dlq) throw new Error(`The local runtime has no DLQ for ${jobType}; queues: ${urls.join(', ')}`);
          return peekQueue(client, dlq);
        },
      };

      // Act
      const onLocal = await runScenario(target);

      // Assess
      expect(comparable(onLocal)).toEqual(comparable(outcome));
    } finally {
      client.destroy();
      await local.stop();
    }
  });
});
