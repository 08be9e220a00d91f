import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NotFoundError, ValidationError } from '../../lambda/shared/errors.js';
import { JOB_STATUSES, type JobStatus, MAX_JOB_ID_LENGTH } from '../../lambda/shared/job.js';
import { quote } from '../../lambda/shared/quote.js';
import { redrive } from '../../lambda/shared/redrive.js';
import { listDeadLetters } from '../../ops/dead-letters.js';
import { findJobType, type JobTypeQueues } from '../../ops/job-types.js';
import { type QueueRow, queueCounts } from '../../ops/queue-stats.js';
import { recentJobs } from '../../ops/recent-jobs.js';
import { jobOfInput, type ScheduleRow } from '../../ops/schedules.js';
import type { RuntimeView } from '../core/runtime/extension.js';
import { checkSameOrigin, clamp, pathSegments, readJson, sendJson } from './console-http.js';
import { jobStoreOf, jobTableName, jobTypesOfPlan } from './job-types.js';
import type { OldestMessageAges } from './oldest-message.js';
import { RATE_WINDOW_SECONDS, THROUGHPUT_HISTORY_SECONDS, type Throughput } from './throughput.js';

/** What the dashboard's endpoints read from. */
export interface DashboardDeps {
  readonly runtime: RuntimeView;
  readonly doc: DynamoDBDocumentClient;
  readonly throughput: Throughput;
  readonly oldest: OldestMessageAges;
  readonly now: () => number;
}

/** One request to an endpoint: its path parameters, query and body. */
interface EndpointRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: () => Promise<unknown>;
}

type Endpoint = (request: EndpointRequest, deps: DashboardDeps) => Promise<unknown>;

/** The JSON endpoints under `/ui/api/`; `:name` segments are path parameters. */
const ENDPOINTS: readonly { readonly method: 'GET' | 'POST'; readonly path: string; readonly handle: Endpoint }[] = [
  { method: 'GET', path: 'overview', handle: overview },
  { method: 'GET', path: 'throughput', handle: throughput },
  { method: 'GET', path: 'jobs', handle: listJobs },
  { method: 'GET', path: 'jobs/:jobId', handle: getJob },
  { method: 'GET', path: 'dlq/:type', handle: listDlq },
  { method: 'GET', path: 'schedules', handle: listSchedules },
  { method: 'POST', path: 'dlq/:type/redrive', handle: redriveDlq },
  { method: 'GET', path: 'events', handle: listEvents },
];

/** Answers a request under `/ui/api/`; errors are thrown for the caller to answer. */
export async function serveDashboardApi(req: IncomingMessage, res: ServerResponse, deps: DashboardDeps): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const segments = pathSegments(url.pathname).slice(2);
  if (method === 'POST') checkSameOrigin(req);
  for (const endpoint of ENDPOINTS) {
    const params = endpoint.method === method ? matchPath(endpoint.path, segments) : undefined;
    if (!params) continue;
    sendJson(res, 200, await endpoint.handle({ params, query: url.searchParams, body: () => readJson(req) }, deps));
    return;
  }
  throw new NotFoundError(`No admin endpoint ${method} ${quote(url.pathname)}.`);
}

/** The path parameters when `segments` match `pattern` (`dlq/:type`); `undefined` otherwise. */
function matchPath(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    if (part.startsWith(':')) params[part.slice(1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

function jobTypesOf(deps: DashboardDeps): JobTypeQueues[] {
  return jobTypesOfPlan(deps.runtime.plan(), deps.runtime.queueUrl);
}

/** One row per job type: SQS's counts, the DLQ's depth, the oldest message's age and the finish rate. */
async function overview(_request: EndpointRequest, deps: DashboardDeps) {
  const plan = deps.runtime.plan();
  const queues: QueueRow[] = await Promise.all(
    jobTypesOf(deps).map(async (t) => {
      const [counts, dlq, oldestAgeSeconds] = await Promise.all([
        queueCounts(deps.runtime.sqs, t.queueUrl),
        queueCounts(deps.runtime.sqs, t.dlqUrl),
        deps.oldest.of(t.queueName),
      ]);
      return {
        type: t.type,
        ...counts,
        dlq: dlq.visible + dlq.inFlight + dlq.delayed,
        oldestAgeSeconds,
        jobsPerSecond: deps.throughput.jobsPerSecond(t.queueName),
      };
    }),
  );
  return {
    stackName: plan.stackName,
    region: plan.region,
    url: deps.runtime.url,
    rateWindowSeconds: RATE_WINDOW_SECONDS,
    at: new Date(deps.now()).toISOString(),
    queues,
  };
}

async function throughput({ query }: EndpointRequest, deps: DashboardDeps) {
  const minutes = clamp(Number(query.get('minutes') ?? 10), 1, THROUGHPUT_HISTORY_SECONDS / 60);
  const step = clamp(Number(query.get('step') ?? 5), 1, 60);
  return deps.throughput.series(jobTypesOf(deps), minutes, step);
}

async function listJobs({ query }: EndpointRequest, deps: DashboardDeps) {
  const status = query.get('status') || undefined;
  if (status && !JOB_STATUSES.includes(status as JobStatus)) {
    throw new ValidationError(`status must be one of ${JOB_STATUSES.join(', ')}.`);
  }
  const type = query.get('type') || undefined;
  const limit = clamp(Number(query.get('limit') ?? 50), 1, 500);
  return recentJobs(deps.doc, jobTableName(deps.runtime.plan()), {
    limit,
    ...(status ? { status: status as JobStatus } : {}),
    ...(type ? { type } : {}),
  });
}

async function getJob({ params }: EndpointRequest, deps: DashboardDeps) {
  const id = params.jobId ?? '';
  // No job has a longer id; DynamoDB would refuse the key rather than find nothing.
  const record = id.length > MAX_JOB_ID_LENGTH ? undefined : await jobStoreOf(deps.runtime.plan(), deps.doc).get(id);
  if (!record) throw new NotFoundError(`No job with id ${quote(id)}.`);
  const { requestHash: _hash, ...visible } = record;
  return visible;
}

function jobTypeNamed(deps: DashboardDeps, name: string): JobTypeQueues {
  const type = findJobType(jobTypesOf(deps), name);
  if (!type) throw new NotFoundError(`No job type ${quote(name)}.`);
  return type;
}

async function listDlq({ params }: EndpointRequest, deps: DashboardDeps) {
  const t = jobTypeNamed(deps, params.type ?? '');
  return { type: t.type, messages: await listDeadLetters(deps.runtime.sqs, t.dlqUrl) };
}

/** Sends a job type's dead letters back to its queue with a move task (fauxqs is patched to run them). */
async function redriveDlq({ params, body }: EndpointRequest, deps: DashboardDeps) {
  const t = jobTypeNamed(deps, params.type ?? '');
  const { maxPerSecond: requested } = (await body()) as { maxPerSecond?: unknown };
  const maxPerSecond = typeof requested === 'number' ? requested : undefined;
  const store = jobStoreOf(deps.runtime.plan(), deps.doc);
  const result = await redrive(
    { sqs: deps.runtime.sqs, store },
    {
      type: t.type,
      maxAttempts: t.maxAttempts ?? 1,
      dlqUrl: t.dlqUrl,
      dlqArn: t.dlqArn ?? '',
      queueUrl: t.queueUrl,
    },
    { allowManual: true, ...(maxPerSecond ? { maxPerSecond } : {}) },
  );
  return { type: t.type, ...result };
}

/** The EventBridge Scheduler schedules the runtime runs, with their next firing as its timers have it. */
async function listSchedules(_request: EndpointRequest, deps: DashboardDeps): Promise<{ schedules: ScheduleRow[] }> {
  const plan = deps.runtime.plan();
  const states = deps.runtime.schedules();
  const schedules = plan.schedulerSchedules.map((def): ScheduleRow => {
    const state = states.find((s) => s.logicalId === def.logicalId);
    const fn = def.target.kind === 'lambda' ? def.target.functionLogicalId : undefined;
    return {
      name: def.name,
      ...jobOfInput(def.input),
      expression: def.expression,
      timezone: def.timezone,
      state: def.enabled ? 'ENABLED' : 'DISABLED',
      nextFiring: state?.nextFiring ?? null,
      target:
        def.target.kind === 'sqs'
          ? def.target.queueName
          : (plan.functions.find((f) => f.logicalId === fn)?.functionName ?? ''),
    };
  });
  return { schedules: schedules.sort((a, b) => a.name.localeCompare(b.name)) };
}

/**
 * The events put on the local buses, oldest first, with each rule target they
 * went to: those after `after` (a cursor: the `next` of the previous answer),
 * at most `limit` of the newest.
 */
async function listEvents({ query }: EndpointRequest, deps: DashboardDeps) {
  const after = Math.max(0, Math.floor(Number(query.get('after') ?? 0)) || 0);
  const limit = clamp(Number(query.get('limit') ?? 100), 1, 500);
  const newest = deps.runtime.recentEvents(0, 1)[0]?.seq ?? 0;
  // A cursor beyond the newest event is from before a restart: start again from the oldest kept.
  const events = deps.runtime.recentEvents(after > newest ? 0 : after, limit);
  return { events, next: events.at(-1)?.seq ?? Math.min(after, newest) };
}
