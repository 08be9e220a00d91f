import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { openApiDocument } from '../lambda/api/openapi.js';
import { jobTypes as registeredJobTypes } from '../lambda/jobs/registry.js';
import { DEFAULT_RETENTION_DAYS, ENV } from '../lambda/shared/config.js';
import { RedriveRefusedError } from '../lambda/shared/errors.js';
import type { JobStatus } from '../lambda/shared/job.js';
import { DynamoJobStore } from '../lambda/shared/job-store.js';
import { redrive } from '../lambda/shared/redrive.js';
import { listDeadLetters } from '../ops/dead-letters.js';
import { findJobType, type JobTypeQueues } from '../ops/job-types.js';
import type { LocalState } from '../ops/local-state.js';
import { type QueueRow, queueCounts } from '../ops/queue-stats.js';
import { recentJobs } from '../ops/recent-jobs.js';
import type { LocalPlan } from './template.js';

/** Seconds of per-second throughput the runtime keeps for the dashboard's plot. */
export const THROUGHPUT_HISTORY_SECONDS = 15 * 60;
/** The window `jobsPerSecond` averages over. */
export const RATE_WINDOW_SECONDS = 10;

const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));
const STATIC: Readonly<Record<string, { file: string; type: string }>> = {
  '/ui': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ui/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/ui/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};
const STATUSES: readonly JobStatus[] = ['queued', 'running', 'retrying', 'succeeded', 'failed'];

/** What the admin endpoints need from the runtime. */
export interface LocalAdminDeps {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly url: string;
  readonly plan: () => LocalPlan;
  readonly queueUrl: (name: string) => string;
  readonly now?: () => number;
}

/** The job types a plan runs: each SQS-driven function with a JOB_TYPE, its queue and its DLQ. */
export function jobTypesOfPlan(plan: LocalPlan, queueUrl: (name: string) => string): JobTypeQueues[] {
  const types: JobTypeQueues[] = [];
  for (const mapping of plan.eventSources) {
    const fn = plan.functions.find((f) => f.logicalId === mapping.functionLogicalId);
    const type = fn?.environment[ENV.jobType];
    const queue = plan.queues.find((q) => q.logicalId === mapping.queueLogicalId);
    const dlq = plan.queues.find((q) => q.logicalId === queue?.deadLetterQueue);
    if (!type || !queue || !dlq) continue;
    types.push({
      type,
      queueName: queue.name,
      queueUrl: queueUrl(queue.name),
      queueArn: queue.arn,
      dlqName: dlq.name,
      dlqUrl: queueUrl(dlq.name),
      dlqArn: dlq.arn,
      ...(queue.maxReceiveCount ? { maxAttempts: queue.maxReceiveCount } : {}),
    });
  }
  return types;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The local runtime's operator side: per-queue throughput counted from the
 * pollers, the oldest message's age read from fauxqs, the web dashboard at
 * `/ui` with its JSON endpoints under `/ui/api/`, and `/openapi.json`.
 */
export class LocalAdmin {
  /** Messages deleted per queue name, per epoch second. */
  private readonly done = new Map<string, Map<number, number>>();
  private readonly oldest = new Map<string, { at: number; value: Promise<number | null> }>();
  private readonly doc: DynamoDBDocumentClient;
  private readonly now: () => number;

  constructor(private readonly deps: LocalAdminDeps) {
    this.doc = DynamoDBDocumentClient.from(deps.dynamodb, { marshallOptions: { removeUndefinedValues: true } });
    this.now = deps.now ?? Date.now;
  }

  /** Counts the records a poller deleted: jobs that finished, as SQS's NumberOfMessagesDeleted counts them. */
  recordBatch(queueName: string, outcome: { readonly deleted: number }): void {
    if (outcome.deleted <= 0) return;
    const second = Math.floor(this.now() / 1000);
    let perSecond = this.done.get(queueName);
    if (!perSecond) {
      perSecond = new Map();
      this.done.set(queueName, perSecond);
    }
    perSecond.set(second, (perSecond.get(second) ?? 0) + outcome.deleted);
    if (perSecond.size > THROUGHPUT_HISTORY_SECONDS + 60) {
      for (const s of perSecond.keys()) if (s < second - THROUGHPUT_HISTORY_SECONDS) perSecond.delete(s);
    }
  }

  /** Messages deleted per second from a queue, averaged over the last {@link RATE_WINDOW_SECONDS}. */
  jobsPerSecond(queueName: string): number {
    const perSecond = this.done.get(queueName);
    if (!perSecond) return 0;
    const now = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let s = now - RATE_WINDOW_SECONDS + 1; s <= now; s++) sum += perSecond.get(s) ?? 0;
    return sum / RATE_WINDOW_SECONDS;
  }

  /** Jobs finished per second, per type, in `stepSeconds` buckets over the last `minutes`. */
  throughput(minutes: number, stepSeconds: number) {
    const now = Math.floor(this.now() / 1000);
    const span = Math.min(minutes * 60, THROUGHPUT_HISTORY_SECONDS);
    const first = now - span + 1;
    const buckets = Math.ceil(span / stepSeconds);
    return {
      stepSeconds,
      start: new Date((now - buckets * stepSeconds + 1) * 1000).toISOString(),
      end: new Date(now * 1000).toISOString(),
      series: this.types().map((t) => {
        const perSecond = this.done.get(t.queueName);
        const points: number[] = [];
        for (let b = 0; b < buckets; b++) {
          let sum = 0;
          const from = now - (buckets - b) * stepSeconds + 1;
          for (let s = Math.max(from, first); s < from + stepSeconds; s++) sum += perSecond?.get(s) ?? 0;
          points.push(sum / stepSeconds);
        }
        return { type: t.type, points };
      }),
    };
  }

  /**
   * Seconds since the oldest message still in the queue (visible or in flight)
   * was sent, as CloudWatch's ApproximateAgeOfOldestMessage; `null` when the
   * queue is empty. Read from fauxqs's inspection endpoint, which leaves
   * messages untouched, at most once a second per queue.
   */
  oldestAgeSeconds(queueName: string): Promise<number | null> {
    const now = this.now();
    const cached = this.oldest.get(queueName);
    if (cached && now - cached.at < 1000) return cached.value;
    const value = (async () => {
      const res = await fetch(`${this.deps.sqsEndpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
      if (!res.ok) return null;
      type Msg = { sentTimestamp?: number };
      const body = (await res.json()) as { messages?: { ready?: Msg[]; inflight?: { message?: Msg }[] } };
      let min = Number.POSITIVE_INFINITY;
      for (const m of body.messages?.ready ?? []) min = Math.min(min, m.sentTimestamp ?? min);
      for (const e of body.messages?.inflight ?? []) min = Math.min(min, e.message?.sentTimestamp ?? min);
      return Number.isFinite(min) ? Math.max(0, Math.round((this.now() - min) / 1000)) : null;
    })().catch(() => null);
    this.oldest.set(queueName, { at: now, value });
    return value;
  }

  /** The job types the current plan runs. */
  types(): JobTypeQueues[] {
    return jobTypesOfPlan(this.deps.plan(), this.deps.queueUrl);
  }

  /** The job table: the one the functions are given, else the plan's only table. */
  tableName(): string {
    const plan = this.deps.plan();
    const fromEnv = plan.functions.map((f) => f.environment[ENV.tableName]).find(Boolean);
    return fromEnv ?? plan.tables[0]?.name ?? '';
  }

  /** The job table as the app's functions use it, with the retention they were deployed with. */
  private store(): DynamoJobStore {
    return new DynamoJobStore({ doc: this.doc, tableName: this.tableName(), retentionDays: this.retentionDays() });
  }

  private retentionDays(): number {
    const days = Number(
      this.deps
        .plan()
        .functions.map((f) => f.environment[ENV.retentionDays])
        .find(Boolean),
    );
    return Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS;
  }

  /** The content of `.qw/local.json` for this runtime. */
  state(pid: number, startedAt: Date): LocalState {
    const plan = this.deps.plan();
    return {
      version: 1,
      pid,
      url: this.deps.url,
      stackName: plan.stackName,
      region: plan.region,
      sqsEndpoint: this.deps.sqsEndpoint,
      dynamodbEndpoint: this.deps.dynamodbEndpoint,
      tableName: this.tableName(),
      retentionDays: this.retentionDays(),
      startedAt: startedAt.toISOString(),
      types: this.types(),
    };
  }

  /** One row per job type: SQS's counts, the DLQ's depth, the oldest message's age and the finish rate. */
  async overview(): Promise<QueueRow[]> {
    return Promise.all(
      this.types().map(async (t) => {
        const [counts, dlq, oldestAgeSeconds] = await Promise.all([
          queueCounts(this.deps.sqs, t.queueUrl),
          queueCounts(this.deps.sqs, t.dlqUrl),
          this.oldestAgeSeconds(t.queueName),
        ]);
        return {
          type: t.type,
          ...counts,
          dlq: dlq.visible + dlq.inFlight + dlq.delayed,
          oldestAgeSeconds,
          jobsPerSecond: this.jobsPerSecond(t.queueName),
        };
      }),
    );
  }

  /** True when this request is for the admin side (`/ui...`, `/openapi.json`); it is then answered. */
  handles(req: IncomingMessage, res: ServerResponse): boolean {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    if (pathname !== '/openapi.json' && pathname !== '/ui' && !pathname.startsWith('/ui/')) return false;
    this.serve(req, res).catch((error: Error) => {
      const status = error instanceof HttpError ? error.status : 500;
      const code = error instanceof HttpError ? error.code : 'INTERNAL';
      if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code, message: error.message } }));
    });
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = (req.method ?? 'GET').toUpperCase();
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(text);
    };
    if (url.pathname === '/openapi.json') {
      const names = new Set(this.types().map((t) => t.type));
      const types = registeredJobTypes.filter((t) => names.has(t.name));
      const stage = this.deps.plan().apis[0]?.stage;
      send(
        200,
        openApiDocument(types.length ? types : registeredJobTypes, stage ? `${this.deps.url}/${stage}` : this.deps.url),
      );
      return;
    }
    const asset = STATIC[url.pathname];
    if (asset && method === 'GET') {
      const body = await readFile(`${UI_DIR}${asset.file}`);
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store' });
      res.end(body);
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[1] !== 'api') throw new HttpError(404, 'NOT_FOUND', `Nothing at ${url.pathname}.`);
    if (method === 'POST') this.checkSameOrigin(req);
    const [, , resource, id, action] = parts;

    if (method === 'GET' && resource === 'overview' && !id) {
      const plan = this.deps.plan();
      send(200, {
        stackName: plan.stackName,
        region: plan.region,
        url: this.deps.url,
        rateWindowSeconds: RATE_WINDOW_SECONDS,
        at: new Date(this.now()).toISOString(),
        queues: await this.overview(),
      });
      return;
    }
    if (method === 'GET' && resource === 'throughput' && !id) {
      const minutes = clamp(Number(url.searchParams.get('minutes') ?? 10), 1, THROUGHPUT_HISTORY_SECONDS / 60);
      const step = clamp(Number(url.searchParams.get('step') ?? 5), 1, 60);
      send(200, this.throughput(minutes, step));
      return;
    }
    if (method === 'GET' && resource === 'jobs' && !id) {
      const status = url.searchParams.get('status') || undefined;
      if (status && !STATUSES.includes(status as JobStatus)) {
        throw new HttpError(400, 'VALIDATION_ERROR', `status must be one of ${STATUSES.join(', ')}.`);
      }
      const type = url.searchParams.get('type') || undefined;
      const limit = clamp(Number(url.searchParams.get('limit') ?? 50), 1, 500);
      const found = await recentJobs(this.doc, this.tableName(), {
        limit,
        ...(status ? { status: status as JobStatus } : {}),
        ...(type ? { type } : {}),
      });
      send(200, found);
      return;
    }
    if (method === 'GET' && resource === 'jobs' && id && !action) {
      const record = await this.store().get(id);
      if (!record) throw new HttpError(404, 'NOT_FOUND', `No job with id "${id}".`);
      const { requestHash: _hash, ...visible } = record;
      send(200, visible);
      return;
    }
    if (resource === 'dlq' && id) {
      const t = findJobType(this.types(), id);
      if (!t) throw new HttpError(404, 'NOT_FOUND', `No job type "${id}".`);
      if (method === 'GET' && !action) {
        send(200, { type: t.type, messages: await listDeadLetters(this.deps.sqs, t.dlqUrl) });
        return;
      }
      if (method === 'POST' && action === 'redrive') {
        const body = (await readJson(req)) as { maxPerSecond?: unknown };
        const maxPerSecond = typeof body.maxPerSecond === 'number' ? body.maxPerSecond : undefined;
        try {
          const result = await redrive(
            { sqs: this.deps.sqs, store: this.store() },
            {
              type: t.type,
              maxAttempts: t.maxAttempts ?? 1,
              dlqUrl: t.dlqUrl,
              dlqArn: t.dlqArn ?? '',
              queueUrl: t.queueUrl,
            },
            { allowManual: true, ...(maxPerSecond ? { maxPerSecond } : {}) },
          );
          send(200, { type: t.type, ...result });
        } catch (error) {
          if (error instanceof RedriveRefusedError) throw new HttpError(409, error.code, error.message);
          throw error;
        }
        return;
      }
    }
    throw new HttpError(404, 'NOT_FOUND', `No admin endpoint ${method} ${url.pathname}.`);
  }

  /**
   * A page on another site must not redrive through the browser of someone
   * running the dashboard: a POST must come from this origin (or no browser).
   */
  private checkSameOrigin(req: IncomingMessage): void {
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) {
      throw new HttpError(403, 'FORBIDDEN', 'Cross-origin requests to the admin endpoints are refused.');
    }
    if (!(req.headers['content-type'] ?? '').includes('application/json')) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    }
  }
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.floor(value))) : min;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', 'The body is over 64 KiB.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'The body is not JSON.');
  }
}
