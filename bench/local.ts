/**
 * `npm run bench:local`: 10,000 `simulate` jobs (sleepMs 0) through the local
 * runtime's POST /jobs/batch, timed until every job is `succeeded`, with the peak
 * RSS of the runtime's process tree. Then the same load on a hand-wired baseline
 * on the same SQS emulator: a plain node:http endpoint that sends with
 * SendMessageBatch and sqs-consumer workers, with no job records at all.
 *
 * Each side runs in its own child process, so the RSS is the system's alone.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { THROWAWAY_CREDENTIALS } from '../local/core/local-aws.js';
import { createOutput, startEmulators, startLocal } from '../local/index.js';
import { queueCounts } from '../ops/queue-stats.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const PER_REQUEST = 100;
const CLIENT_CONCURRENCY = 4;
const CONSUMERS = 5;

/** What a child reports once it is ready. */
interface Ready {
  readonly url: string;
  readonly region: string;
  readonly sqsEndpoint: string;
  readonly queueUrl: string;
  readonly dynamodbEndpoint?: string;
  readonly tableName?: string;
}

// ---- children ------------------------------------------------------------------------------------

async function runtimeChild(): Promise<void> {
  const runtime = await startLocal({
    port: 0,
    output: createOutput({ functionLogs: false, liveStatus: false, stream: process.stderr }),
  });
  const plan = runtime.plan();
  const queue = plan.queues.find((q) => q.name.endsWith('-simulate'));
  const table = plan.tables[0];
  if (!queue || !table) throw new Error('the app has no simulate queue or job table');
  process.send?.({
    url: runtime.url,
    region: runtime.region,
    sqsEndpoint: runtime.sqsEndpoint,
    queueUrl: runtime.queueUrl(queue.name),
    dynamodbEndpoint: runtime.dynamodbEndpoint,
    tableName: table.name,
  } satisfies Ready);
  const elu = performance.eventLoopUtilization();
  process.on('message', async () => {
    console.error(
      `runtime main thread event-loop utilisation: ${(performance.eventLoopUtilization(elu).utilization * 100).toFixed(0)}%`,
    );
    await runtime.stop();
    process.exit(0);
  });
}

async function baselineChild(): Promise<void> {
  const region = 'us-east-1';
  const emulators = await startEmulators({ region });
  await emulators.ensureQueues([
    { logicalId: 'Baseline', name: 'baseline', arn: '', fifo: false, attributes: { VisibilityTimeout: '30' } },
  ]);
  const queueUrl = emulators.queueUrl('baseline');
  const sqs = new SQSClient({ region, endpoint: emulators.sqsEndpoint, credentials: { ...THROWAWAY_CREDENTIALS } });
  let processed = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const { jobs } = JSON.parse(Buffer.concat(chunks).toString()) as { jobs: unknown[] };
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < jobs.length; i += 10) {
      sends.push(
        sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: jobs.slice(i, i + 10).map((job, j) => ({ Id: String(j), MessageBody: JSON.stringify(job) })),
          }),
        ),
      );
    }
    await Promise.all(sends);
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: jobs.length }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const consumers = Array.from({ length: CONSUMERS }, () =>
    Consumer.create({
      sqs,
      queueUrl,
      batchSize: 10,
      waitTimeSeconds: 20,
      handleMessageBatch: async (messages) => {
        for (const m of messages) JSON.parse(m.Body ?? '{}');
        processed += messages.length;
        return messages;
      },
    }),
  );
  for (const c of consumers) {
    c.on('error', () => undefined);
    c.start();
  }
  const { port } = server.address() as AddressInfo;
  process.send?.({
    url: `http://127.0.0.1:${port}`,
    region,
    sqsEndpoint: emulators.sqsEndpoint,
    queueUrl,
  } satisfies Ready);
  const ticker = setInterval(() => process.send?.({ processed }), 50);
  process.on('message', async () => {
    clearInterval(ticker);
    for (const c of consumers) c.stop({ abort: true });
    server.close();
    await emulators.stop();
    process.exit(0);
  });
}

// ---- parent --------------------------------------------------------------------------------------

/** RSS in bytes of a process and all its descendants, from /proc. */
function treeRss(root: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let total = 0;
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    try {
      const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      total += Number(kb ?? 0) * 1024;
    } catch {
      // Gone.
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function start(role: string): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = fork(fileURLToPath(import.meta.url), [`--role=${role}`], {
    execArgv: [
      '--import',
      'tsx',
      '--no-warnings=ExperimentalWarning',
      ...(process.env.BENCH_PROFILE && role === 'runtime'
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROFILE]
        : []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
    child.once('message', (ready) => resolve({ child, ready: ready as Ready }));
  });
}

async function submitAll(url: string): Promise<void> {
  const bodies = Array.from({ length: Math.ceil(JOBS / PER_REQUEST) }, (_, i) =>
    JSON.stringify({
      jobs: Array.from({ length: Math.min(PER_REQUEST, JOBS - i * PER_REQUEST) }, () => ({
        type: 'simulate',
        payload: { sleepMs: 0 },
      })),
    }),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENT_CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++] as string;
        const res = await fetch(`${url}/jobs/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const out = (await res.json()) as { accepted?: number };
        if (res.status !== 202 || out.accepted !== PER_REQUEST) {
          throw new Error(`POST /jobs/batch answered ${res.status}: ${JSON.stringify(out).slice(0, 300)}`);
        }
      }
    }),
  );
}

async function queueEmpty(sqs: SQSClient, queueUrl: string): Promise<boolean> {
  const c = await queueCounts(sqs, queueUrl);
  return c.visible === 0 && c.inFlight === 0 && c.delayed === 0;
}

async function countSucceeded(ready: Ready): Promise<number> {
  const ddb = new DynamoDBClient({
    region: ready.region,
    endpoint: ready.dynamodbEndpoint,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new ScanCommand({
        TableName: ready.tableName,
        Select: 'COUNT',
        FilterExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'succeeded' } },
        ...(start ? { ExclusiveStartKey: start as never } : {}),
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  ddb.destroy();
  return count;
}

interface Result {
  readonly seconds: number;
  readonly jobsPerSecond: number;
  readonly peakRssMb: number;
  readonly submitSeconds: number;
}

async function measure(role: 'runtime' | 'baseline'): Promise<Result> {
  const { child, ready } = await start(role);
  let processed = 0;
  child.on('message', (m: { processed?: number }) => {
    if (m.processed !== undefined) processed = m.processed;
  });
  const pid = child.pid as number;
  let peak = treeRss(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, treeRss(pid));
  }, 100);
  const sqs = new SQSClient({
    region: ready.region,
    endpoint: ready.sqsEndpoint,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  const started = performance.now();
  await submitAll(ready.url);
  const submitSeconds = (performance.now() - started) / 1000;
  if (role === 'runtime') {
    // Drained queue first (cheap to poll), then the table confirms every job is succeeded.
    while (!(await queueEmpty(sqs, ready.queueUrl))) await new Promise((r) => setTimeout(r, 50));
    let succeeded = await countSucceeded(ready);
    while (succeeded < JOBS) {
      await new Promise((r) => setTimeout(r, 200));
      succeeded = await countSucceeded(ready);
    }
  } else {
    while (processed < JOBS) await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, treeRss(pid));
  sqs.destroy();
  const exited = new Promise((r) => child.once('exit', r));
  child.send('stop');
  await exited;
  return { seconds, jobsPerSecond: JOBS / seconds, peakRssMb: peak / 1024 / 1024, submitSeconds };
}

async function main(): Promise<void> {
  const role = process.argv.find((a) => a.startsWith('--role='))?.slice('--role='.length);
  if (role === 'runtime') return runtimeChild();
  if (role === 'baseline') return baselineChild();

  console.log(
    `bench:local - ${JOBS} simulate jobs (sleepMs 0), ${PER_REQUEST} per POST /jobs/batch, ${CLIENT_CONCURRENCY} requests in flight`,
  );
  const local = await measure('runtime');
  const base = await measure('baseline');
  const row = (name: string, r: Result) =>
    `${name.padEnd(34)} ${r.seconds.toFixed(2).padStart(7)} s  ${r.jobsPerSecond.toFixed(0).padStart(6)} jobs/s  peak RSS ${r.peakRssMb.toFixed(0).padStart(4)} MB  (submit ${r.submitSeconds.toFixed(2)} s)`;
  console.log(row('npm start runtime (all succeeded)', local));
  console.log(row('baseline (http + sqs-consumer)', base));
  console.log(
    `ratio: local runtime runs at ${((local.jobsPerSecond / base.jobsPerSecond) * 100).toFixed(0)}% of the baseline's throughput`,
  );
  console.log(
    `goal: >= 1000 jobs/s ${local.jobsPerSecond >= 1000 ? 'met' : 'NOT met'}; peak RSS < 500 MB ${local.peakRssMb < 500 ? 'met' : 'NOT met'}`,
  );
}

await main();
