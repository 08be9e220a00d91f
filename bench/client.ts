/**
 * `npm run bench:client`: submit throughput of `@queue-workers/client` against
 * the local runtime, beside raw `fetch` sending the same requests, in one run.
 *
 * The runtime runs in a child process; this process submits `BENCH_JOBS` jobs
 * per round with `BENCH_CONCURRENCY` requests in flight, one `POST /jobs` each,
 * rotating raw fetch, the client, and the client without its per-attempt
 * timeout over `BENCH_ROUNDS` rounds (the order turns each round, so none always
 * meets a warmer or busier runtime); it also reports this process's CPU time
 * per job, steadier than throughput on a shared machine. All send the same
 * body: the type, the payload and an idempotency key, which the client always
 * sends (its retries depend on it), so the raw side sends one too.
 * The jobs are delayed by 900 s, so the workers stay idle and only submission
 * is measured.
 *
 * The runtime itself takes most of the time of a submission, which hides the
 * client's own cost; so the same comparison runs again against a stub API (a
 * node:http server in another process that answers 202 at once), where the
 * client's own work (key, timeout, retry bookkeeping, parsing) is all there is.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createJobClient } from '@queue-workers/client';
import type { jobTypes } from '../lambda/jobs/registry.js';
import { createOutput, startLocal } from '../local/index.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 2_000);
const STUB_JOBS = Number(process.env.BENCH_STUB_JOBS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL = 0.9;
const PAYLOAD = { sleepMs: 0 };
const DELAY_SECONDS = 900;

async function runtimeChild(): Promise<void> {
  const runtime = await startLocal({
    port: 0,
    output: createOutput({ functionLogs: false, liveStatus: false, stream: process.stderr }),
  });
  process.send?.({ url: runtime.url });
  process.on('message', async () => {
    await runtime.stop();
    process.exit(0);
  });
}

/** A stand-in for the API that accepts every job at once, with the body the API sends. */
async function stubChild(): Promise<void> {
  const body = JSON.stringify({
    jobId: randomUUID(),
    type: 'simulate',
    status: 'queued',
    statusUrl: 'http://stub/jobs/x',
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  process.on('message', () => process.exit(0));
}

/** One round of one side: throughput, and this process's CPU time per job (the caller's cost, fetch included). */
interface Round {
  readonly jobsPerSecond: number;
  readonly cpuMicrosPerJob: number;
}

/** Runs `submit` `count` times with `concurrency` in flight. */
async function measure(count: number, concurrency: number, submit: () => Promise<void>): Promise<Round> {
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await submit();
    }),
  );
  const used = process.cpuUsage(cpu);
  return {
    jobsPerSecond: count / ((performance.now() - started) / 1000),
    cpuMicrosPerJob: (used.user + used.system) / count,
  };
}

/** One raw `POST /jobs`, as a hand-written caller would send it. */
function rawSubmit(url: string) {
  return async () => {
    const res = await fetch(`${url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'simulate',
        payload: PAYLOAD,
        idempotencyKey: randomUUID(),
        delaySeconds: DELAY_SECONDS,
      }),
    });
    const body = (await res.json()) as { jobId?: string };
    if (res.status !== 202 || !body.jobId) throw new Error(`POST /jobs answered ${res.status}`);
  };
}

function clientSubmit(url: string, timeoutMs?: number) {
  const jobs = createJobClient<typeof jobTypes>({
    url,
    auth: 'none',
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  return async () => {
    await jobs.submit('simulate', PAYLOAD, { delaySeconds: DELAY_SECONDS });
  };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Starts a child in `role` and resolves with the URL it serves. */
async function child(role: 'runtime' | 'stub') {
  const proc = fork(fileURLToPath(import.meta.url), [`--role=${role}`], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    proc.once('message', (m) => resolve(m as { url: string }));
    proc.once('exit', (code) => reject(new Error(`the ${role} exited with ${code}`)));
  });
  return { url, stop: () => proc.send('stop') };
}

/** Raw fetch and the client against `url`, alternating over the rounds; jobs per second of each round. */
const SIDES = ['raw', 'client', 'untimed'] as const;
type Side = (typeof SIDES)[number];
const NAMES: Record<Side, string> = {
  raw: 'raw fetch',
  client: '@queue-workers/client',
  untimed: '  ... with timeoutMs: 0',
};

/** Raw fetch and the client against `url`, in a rotating order over the rounds. */
async function compare(url: string, count: number) {
  const sides: Record<Side, () => Promise<void>> = {
    raw: rawSubmit(url),
    client: clientSubmit(url),
    untimed: clientSubmit(url, 0),
  };
  const results: Record<Side, Round[]> = { raw: [], client: [], untimed: [] };
  // Warm up every path (JIT, connection pools, the runtime's functions) before measuring.
  for (const submit of Object.values(sides)) await measure(Math.min(200, count), CONCURRENCY, submit);
  for (let round = 0; round < ROUNDS; round++) {
    const order = SIDES.map((_s, i) => SIDES[(i + round) % SIDES.length] as Side);
    for (const side of order) results[side].push(await measure(count, CONCURRENCY, sides[side]));
  }
  return results;
}

function print(title: string, results: Record<Side, Round[]>): number {
  console.log(`\n${title}`);
  const rate = (side: Side) => median(results[side].map((r) => r.jobsPerSecond));
  const cpu = (side: Side) => median(results[side].map((r) => r.cpuMicrosPerJob));
  for (const side of SIDES) {
    const rounds = results[side].map((r) => r.jobsPerSecond.toFixed(0)).join(', ');
    console.log(
      `  ${NAMES[side].padEnd(24)} ${rate(side).toFixed(0).padStart(6)} jobs/s, ${cpu(side).toFixed(0).padStart(4)} µs CPU per job (medians; rounds: ${rounds} jobs/s)`,
    );
  }
  const ratio = rate('client') / rate('raw');
  const more = (side: Side) => {
    const d = Math.round(cpu(side) - cpu('raw'));
    return `${d >= 0 ? '+' : ''}${d} µs`;
  };
  console.log(
    `  client / raw fetch: ${ratio.toFixed(2)}x the throughput; CPU per job ${more('client')} (${more('untimed')} with timeoutMs: 0)`,
  );
  return ratio;
}

async function parent(): Promise<void> {
  console.log(`Node ${process.version}; ${CONCURRENCY} POST /jobs in flight, ${ROUNDS} rounds per side`);
  const runtime = await child('runtime');
  const onRuntime = await compare(runtime.url, JOBS);
  runtime.stop();
  const stub = await child('stub');
  const onStub = await compare(stub.url, STUB_JOBS);
  stub.stop();
  const ratio = print(`the local runtime (npm start), ${JOBS} jobs per round:`, onRuntime);
  print(`a stub API answering 202 at once (the client's own cost), ${STUB_JOBS} jobs per round:`, onStub);
  console.log(`\ngoal on the local runtime: >= ${GOAL}x: ${ratio >= GOAL ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
}

if (process.argv.includes('--role=runtime')) await runtimeChild();
else if (process.argv.includes('--role=stub')) await stubChild();
else await parent();
