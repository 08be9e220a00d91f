/**
 * `npm run bench:cost`: what a job costs on AWS. Runs a fixed workload on the
 * local runtime with its usage meter on, counts every request the app makes
 * (API requests, invocations and their GB-seconds, SQS requests by 64 KB chunk,
 * DynamoDB request units with index writes, log bytes), prices them with
 * bench/cost/prices.ts, and sets beside them the minimal pipeline the same
 * counts imply. Three runs of BENCH_JOBS (10,000) `simulate` jobs: 90% succeed
 * first time, 8% fail once then succeed, 2% fail every attempt; submitted one
 * per POST /jobs, then 100 per POST /jobs/batch; then a run where every job
 * succeeds first time, for the writes and log bytes of a successful job; then
 * the same one per POST /jobs with an Idempotency-Key, for what a key costs.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { THROWAWAY_CREDENTIALS } from '../local/core/local-aws.js';
import {
  createOutput,
  type LocalPlan,
  type LocalRuntime,
  startLocal,
  UsageMeter,
  type UsageReport,
} from '../local/index.js';
import { queueCounts } from '../ops/queue-stats.js';
import type { Roles } from './cost/pricing.js';
import { printFixedCosts, printRun, type RunResult } from './cost/report.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const SINGLE_CONCURRENCY = 8;
const BATCH_SIZE = 100;
const BATCH_CONCURRENCY = 4;

type Mix = 'mixed' | 'succeed';

/** The i-th job's payload: 2% fail every attempt, 8% fail once, the rest succeed first time. */
function payloadOf(i: number, mix: Mix): Record<string, unknown> {
  if (mix === 'succeed') return {};
  const slot = i % 50;
  if (slot === 0) return { failTimes: 3 };
  if (slot <= 4) return { failTimes: 1 };
  return {};
}

/** Submits one job per request; with `keyPrefix`, each carries an Idempotency-Key of its own. */
async function submitSingly(url: string, mix: Mix, keyPrefix?: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: SINGLE_CONCURRENCY }, async () => {
      while (next < JOBS) {
        const i = next++;
        const res = await fetch(`${url}/jobs`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(keyPrefix !== undefined ? { 'idempotency-key': `${keyPrefix}-${i}` } : {}),
          },
          body: JSON.stringify({ type: 'simulate', payload: payloadOf(i, mix) }),
        });
        if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
      }
    }),
  );
}

async function submitInBatches(url: string, mix: Mix): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: BATCH_CONCURRENCY }, async () => {
      while (next < JOBS) {
        const first = next;
        next += BATCH_SIZE;
        const jobs = Array.from({ length: Math.min(BATCH_SIZE, JOBS - first) }, (_, j) => ({
          type: 'simulate',
          payload: payloadOf(first + j, mix),
        }));
        const res = await fetch(`${url}/jobs/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ jobs }),
        });
        const out = (await res.json()) as { accepted?: number };
        if (res.status !== 202 || out.accepted !== jobs.length) {
          throw new Error(`POST /jobs/batch answered ${res.status}: ${JSON.stringify(out).slice(0, 300)}`);
        }
      }
    }),
  );
}

/** Jobs in the table that reached succeeded or failed, read from the emulator directly (not metered). */
async function terminalJobs(ddb: DynamoDBClient, table: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: table,
        Select: 'COUNT',
        FilterExpression: '#s IN (:ok, :failed)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':ok': { S: 'succeeded' }, ':failed': { S: 'failed' } },
        ...(start ? { ExclusiveStartKey: start as never } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Waits until `expected` jobs are terminal and every queue is empty (the last deletes are counted). */
async function settle(runtime: LocalRuntime, expected: number): Promise<void> {
  const plan = runtime.plan();
  const client = { region: runtime.region, credentials: { ...THROWAWAY_CREDENTIALS } };
  const ddb = new DynamoDBClient({ ...client, endpoint: runtime.dynamodbEndpoint });
  const sqs = new SQSClient({ ...client, endpoint: runtime.sqsEndpoint });
  const table = plan.tables[0]?.name as string;
  const workQueues = plan.queues.filter((q) => plan.eventSources.some((e) => e.queueLogicalId === q.logicalId));
  try {
    for (;;) {
      if ((await terminalJobs(ddb, table)) >= expected) {
        const counts = await Promise.all(workQueues.map((q) => queueCounts(sqs, runtime.queueUrl(q.name))));
        if (counts.every((c) => c.visible === 0 && c.inFlight === 0 && c.delayed === 0)) return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    ddb.destroy();
    sqs.destroy();
  }
}

function rolesOf(plan: LocalPlan): Roles {
  return {
    workers: new Set(plan.eventSources.map((e) => e.functionLogicalId)),
    scheduled: new Set(plan.schedules.flatMap((s) => s.targets.map((t) => t.functionLogicalId))),
  };
}

async function run(
  runtime: LocalRuntime,
  meter: UsageMeter,
  name: string,
  submit: () => Promise<void>,
  settled: number,
): Promise<{ report: UsageReport; seconds: number }> {
  meter.reset();
  const started = performance.now();
  await submit();
  await settle(runtime, settled);
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(`${name}: ${JOBS} jobs settled in ${seconds.toFixed(1)} s\n`);
  return { report: meter.report(), seconds };
}

/** The alarms and dashboards the synthesized template declares: CloudWatch bills them by the month. */
function templateCounts(stackName: string): { alarms: number; dashboards: number } {
  const template = JSON.parse(readFileSync(path.join('cdk.out', `${stackName}.template.json`), 'utf8')) as {
    Resources: Record<string, { Type: string }>;
  };
  const types = Object.values(template.Resources).map((r) => r.Type);
  return {
    alarms: types.filter((t) => t === 'AWS::CloudWatch::Alarm').length,
    dashboards: types.filter((t) => t === 'AWS::CloudWatch::Dashboard').length,
  };
}

async function main(): Promise<void> {
  const meter = new UsageMeter();
  const runtime = await startLocal({
    port: 0,
    output: createOutput({ functionLogs: false, liveStatus: false, stream: process.stderr }),
    meter,
  });
  try {
    const plan = runtime.plan();
    const roles = rolesOf(plan);
    const names = new Map(plan.functions.map((f) => [f.logicalId, f.displayName]));
    const results: RunResult[] = [];
    const single = await run(runtime, meter, 'single', () => submitSingly(runtime.url, 'mixed'), JOBS);
    results.push({ name: 'single (POST /jobs)', mode: 'single', jobs: JOBS, ...single });
    const batch = await run(runtime, meter, 'batch', () => submitInBatches(runtime.url, 'mixed'), 2 * JOBS);
    results.push({ name: `batch (POST /jobs/batch, ${BATCH_SIZE} a request)`, mode: 'batch', jobs: JOBS, ...batch });
    const succeed = await run(runtime, meter, 'succeed', () => submitInBatches(runtime.url, 'succeed'), 3 * JOBS);
    results.push({ name: 'batch, every job succeeds first time', mode: 'batch', jobs: JOBS, ...succeed });
    const keyed = await run(runtime, meter, 'keyed', () => submitSingly(runtime.url, 'succeed', 'cost'), 4 * JOBS);
    results.push({
      name: 'single with an Idempotency-Key, every job succeeds first time',
      mode: 'single',
      jobs: JOBS,
      ...keyed,
    });
    console.log(
      `bench:cost: ${JOBS} simulate jobs a run on the local runtime (90% succeed, 8% fail once, 2% fail every attempt)`,
    );
    for (const r of results) printRun(r, roles, names);
    printFixedCosts(
      [single.report, batch.report, succeed.report, keyed.report],
      single.seconds + batch.seconds + succeed.seconds + keyed.seconds,
      roles,
      plan,
      templateCounts(plan.stackName),
    );
  } finally {
    await runtime.stop();
  }
}

await main();
