import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../lambda/shared/job.js';
import { jobIdOf } from '../../lambda/shared/redrive.js';
import { THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import type { LocalState } from '../../ops/local-state.js';
import { queueCounts } from '../../ops/queue-stats.js';
import { CHAOS_STACK } from './fixtures/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `npm start` of the chaos app as a child process: a runtime that can be killed outright and started again. */
export interface RuntimeProcess {
  readonly url: string;
  /** Every line it printed, in order (function logs are prefixed with the function's name). */
  readonly lines: string[];
  /** Where its emulators, table and queues are: the state file it writes for `qw`. */
  readonly state: LocalState;
  /** SIGKILL: nothing is flushed or stopped. */
  kill(): Promise<void>;
  /** SIGTERM, and a wait for it to stop. */
  stop(): Promise<void>;
}

/** Options of {@link startRuntimeProcess}. */
export interface RuntimeProcessOptions {
  readonly port: number;
  /** Persisted state lives here; a second start on it picks up where the first stopped. */
  readonly stateDir: string;
  /** QW_FAULTS. @default none */
  readonly faults?: string;
  /** Printed lines go here, so a restarted runtime's lines follow the first's. @default a new array */
  readonly lines?: string[];
}

/** Starts the chaos app with `npm start`'s entry point, and waits until its API answers. */
export async function startRuntimeProcess(options: RuntimeProcessOptions): Promise<RuntimeProcess> {
  const lines = options.lines ?? [];
  const args = [
    '--import',
    'tsx',
    'local/start.ts',
    '--port',
    String(options.port),
    '--persist',
    '--state-dir',
    options.stateDir,
    '--app',
    'tsx test/chaos/fixtures/app.ts',
    '--out',
    '.qw/chaos.out',
    '--stack',
    CHAOS_STACK,
    '--no-watch',
  ];
  const env = { ...process.env, QW_CONCURRENCY: '2', ...(options.faults ? { QW_FAULTS: options.faults } : {}) };
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  collectLines(child, lines);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  await waitUntilServing(url, child, lines);
  const state = JSON.parse(readFileSync(path.join(options.stateDir, 'local.json'), 'utf8')) as LocalState;
  return {
    url,
    lines,
    state,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(30_000).then(() => child.kill('SIGKILL'))]);
      await exited;
    },
  };
}

function collectLines(child: ChildProcess, lines: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
}

async function waitUntilServing(url: string, child: ChildProcess, lines: readonly string[]): Promise<void> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The runtime exited (${child.exitCode}):\n${lines.join('\n')}`);
    // Any answer but the runtime's own 503 while it starts: a route nobody declares needs no table to answer.
    const status = await fetch(`${url}/not-a-route`, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status !== 0 && status !== 503) return;
    await sleep(250);
  }
  throw new Error(`The runtime did not serve ${url} within 240 s:\n${lines.slice(-30).join('\n')}`);
}

/** Clients of a running runtime's emulators, straight to them (never through a fault proxy). */
export function emulatorClients(state: LocalState) {
  const config = { region: state.region, credentials: { ...THROWAWAY_CREDENTIALS } };
  const sqs = new SQSClient({ ...config, endpoint: state.sqsEndpoint });
  const dynamodb = new DynamoDBClient({ ...config, endpoint: state.dynamodbEndpoint });
  const doc = DynamoDBDocumentClient.from(dynamodb);
  return {
    sqs,
    /** Every job record in the table. */
    async jobs(): Promise<JobRecord[]> {
      const items: JobRecord[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await doc.send(
          new ScanCommand({ TableName: state.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }),
        );
        items.push(...((page.Items ?? []) as JobRecord[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return items;
    },
    /** Messages a queue holds: visible, in flight and delayed. */
    async depth(queueUrl: string): Promise<number> {
      const { visible, inFlight, delayed } = await queueCounts(sqs, queueUrl);
      return visible + inFlight + delayed;
    },
    /** The job ids of every message in a DLQ, each received once (the queue is not used again). */
    async deadLetteredJobIds(dlqUrl: string): Promise<string[]> {
      const messages: Message[] = [];
      for (;;) {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: dlqUrl,
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 600,
            MessageAttributeNames: ['All'],
            WaitTimeSeconds: 0,
          }),
        );
        if (!out.Messages?.length) break;
        messages.push(...out.Messages);
      }
      return messages.map((m) => jobIdOf(m) ?? '?');
    },
    close() {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

/** One job the suite submits: its request, and what it must end as. */
export interface PlannedJob {
  readonly kind: 'ok' | 'retry' | 'exhaust' | 'fatal' | 'keyed';
  readonly request: { type: 'simulate'; payload: Record<string, unknown>; idempotencyKey?: string };
}

/** What each kind of job must end as, before any allowance for the kill. */
export const EXPECTED: Readonly<Record<PlannedJob['kind'], { status: 'succeeded' | 'failed'; attempts: number }>> = {
  ok: { status: 'succeeded', attempts: 1 },
  retry: { status: 'succeeded', attempts: 2 },
  exhaust: { status: 'failed', attempts: 3 },
  fatal: { status: 'failed', attempts: 1 },
  keyed: { status: 'succeeded', attempts: 1 },
};

/**
 * Submits jobs through `POST /jobs/batch`, 100 a request, a few requests at a
 * time, and returns the id of each job answered as accepted (202, item by item).
 */
export async function submitAll(url: string, jobs: readonly PlannedJob[]): Promise<Map<number, string>> {
  const accepted = new Map<number, string>();
  const chunks: number[][] = [];
  for (let i = 0; i < jobs.length; i += 100)
    chunks.push(Array.from({ length: Math.min(100, jobs.length - i) }, (_, j) => i + j));
  let next = 0;
  const lane = async () => {
    while (next < chunks.length) {
      const indexes = chunks[next++] ?? [];
      const res = await fetch(`${url}/jobs/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jobs: indexes.map((i) => jobs[i]?.request) }),
      });
      if (res.status !== 202) continue;
      const body = (await res.json()) as { results: { jobId?: string }[] };
      body.results.forEach((r, j) => {
        const index = indexes[j];
        if (r.jobId && index !== undefined) accepted.set(index, r.jobId);
      });
    }
  };
  await Promise.all(Array.from({ length: 4 }, lane));
  return accepted;
}

/** One line a worker logged about a job. */
export interface JobLine {
  readonly message: string;
  readonly attempt?: number;
  readonly code?: string;
}

/** Every line the workers logged about each job, by job id, in the order printed. */
export function linesByJob(lines: readonly string[]): Map<string, JobLine[]> {
  const runs = new Map<string, JobLine[]>();
  for (const line of lines) {
    const json = line.indexOf('{');
    if (json < 0 || !line.startsWith('[')) continue;
    let entry: { message?: string; jobId?: string; attempt?: number; error?: { code?: string } };
    try {
      entry = JSON.parse(line.slice(json)) as typeof entry;
    } catch {
      continue;
    }
    if (!entry.jobId || !entry.message) continue;
    const list = runs.get(entry.jobId) ?? [];
    list.push({
      message: entry.message,
      ...(entry.attempt !== undefined ? { attempt: entry.attempt } : {}),
      ...(entry.error?.code ? { code: entry.error.code } : {}),
    });
    runs.set(entry.jobId, list);
  }
  return runs;
}

/**
 * True for a line that says the job's handler ran: an outcome of a run, not a
 * duplicate delivery acknowledged, nor a receive beyond the last attempt that
 * the worker dead-letters unrun (DEAD_LETTERED).
 */
export function ran(line: JobLine): boolean {
  const outcome = /^(job succeeded|job attempt failed|job failed and cannot be retried|job is out of attempts)/;
  return outcome.test(line.message) && line.code !== 'DEAD_LETTERED';
}

/** True for a line that says a DynamoDB or SQS call failed for good, which may cost the job an attempt. */
export function faultCostAttempt(line: JobLine): boolean {
  return /^could not (mark the job running|record the result|send the job to the dead-letter queue)/.test(line.message);
}

/** Keyed submissions of the submit-path scenario: single requests (key in the header) and batches (keys in the body). */
export interface KeyedPlan {
  readonly singles: readonly string[];
  readonly batches: readonly (readonly string[])[];
}

/** What became of each key's submissions: the job id answered with 202, or why it is still unanswered. */
export interface KeyedAnswers {
  /** Key -> the job id of its 202 (item by item for a batch). */
  readonly accepted: Map<string, string>;
  /** Key -> a 4xx it got: the wrong answer for a valid, retried request. */
  readonly refused: Map<string, string>;
  /** Keys whose request is on its way now. */
  readonly inFlight: Set<string>;
  /** Requests sent, and requests that got no answer (a 5xx, or no response at all). */
  sent: number;
  unanswered: number;
}

/** The payload of a key's job: the same on every retry, so a retry is the same request. */
export function keyedPayload(key: string): { sleepMs: number } {
  return { sleepMs: Number(key.replace(/\D/g, '')) % 20 };
}

/**
 * Sends each key's request once, `lanes` at a time, and notes the answers.
 * A request that gets no answer (the runtime is down, or the API's
 * environment ended between its steps) leaves its keys unanswered.
 */
export async function submitKeyed(url: string, plan: KeyedPlan, answers: KeyedAnswers, lanes = 8): Promise<void> {
  const requests: { keys: readonly string[]; send: () => Promise<void> }[] = [
    ...plan.singles.map((key) => ({
      keys: [key],
      send: async () => {
        const res = await fetch(`${url}/jobs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ type: 'simulate', payload: keyedPayload(key) }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await res.json().catch(() => ({}))) as { jobId?: string; error?: { code?: string } };
        if (res.status === 202 && body.jobId) answers.accepted.set(key, body.jobId);
        else if (res.status >= 400 && res.status < 500) answers.refused.set(key, `${res.status} ${body.error?.code}`);
        else answers.unanswered += 1;
      },
    })),
    ...plan.batches.map((keys) => ({
      keys,
      send: async () => {
        const res = await fetch(`${url}/jobs/batch`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            jobs: keys.map((key) => ({ type: 'simulate', payload: keyedPayload(key), idempotencyKey: key })),
          }),
          signal: AbortSignal.timeout(30_000),
        });
        if (res.status !== 202) {
          answers.unanswered += 1;
          return;
        }
        const body = (await res.json()) as { results: { jobId?: string; error?: { code?: string } }[] };
        body.results.forEach((item, i) => {
          const key = keys[i] ?? '';
          if (item.jobId) answers.accepted.set(key, item.jobId);
          else if (item.error?.code !== 'SERVICE_UNAVAILABLE') answers.refused.set(key, `${item.error?.code}`);
        });
      },
    })),
  ];
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const request = requests[next++];
      if (!request) break;
      answers.sent += 1;
      for (const key of request.keys) answers.inFlight.add(key);
      await request.send().catch(() => {
        answers.unanswered += 1;
      });
      for (const key of request.keys) answers.inFlight.delete(key);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

/** The part of `plan` whose keys have no answer yet. */
export function unansweredPart(plan: KeyedPlan, answers: KeyedAnswers): KeyedPlan {
  const open = (key: string) => !answers.accepted.has(key) && !answers.refused.has(key);
  return {
    singles: plan.singles.filter(open),
    batches: plan.batches.map((keys) => keys.filter(open)).filter((keys) => keys.length > 0),
  };
}
