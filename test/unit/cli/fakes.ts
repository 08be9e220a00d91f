import { Readable } from 'node:stream';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createJobClient } from '@queue-workers/client';
import { type ApiResponse, callApi } from '../../../cli/api.js';
import type { CliIo } from '../../../cli/io.js';
import type { Target } from '../../../cli/targets/target.js';
import type { JobView } from '../../../lambda/shared/job.js';
import type { JobTypeQueues } from '../../../ops/job-types.js';

/** A CliIo whose output the test reads back. */
export interface CapturedIo {
  readonly io: CliIo;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/** An io that records stdout and stderr, reads `stdin`, and says whether it is a terminal. */
export function captureIo(
  options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string; tty?: boolean; signal?: AbortSignal } = {},
): CapturedIo {
  let out = '';
  let err = '';
  const tty = options.tty === true;
  return {
    io: {
      stdout: { write: (t: string) => (out += t), isTTY: tty },
      stderr: { write: (t: string) => (err += t), isTTY: tty },
      stdin: Readable.from(options.stdin !== undefined ? [options.stdin] : []),
      env: options.env ?? {},
      cwd: options.cwd ?? '/nowhere',
      ...(options.signal ? { signal: options.signal } : {}),
    },
    stdout: () => out,
    stderr: () => err,
  };
}

/** The two job types of the app, as a stack's outputs would give them (no ARNs, no maxAttempts). */
export const JOB_TYPES: readonly JobTypeQueues[] = [
  {
    type: 'simulate',
    queueName: 'Qw-simulate',
    queueUrl: 'http://sqs.local/000000000000/Qw-simulate',
    dlqName: 'Qw-simulate-dlq',
    dlqUrl: 'http://sqs.local/000000000000/Qw-simulate-dlq',
  },
  {
    type: 'webhook.deliver',
    queueName: 'Qw-webhook-deliver',
    queueUrl: 'http://sqs.local/000000000000/Qw-webhook-deliver',
    dlqName: 'Qw-webhook-deliver-dlq',
    dlqUrl: 'http://sqs.local/000000000000/Qw-webhook-deliver-dlq',
  },
];

/** A job as the API returns it, with `changes` on top. */
export function jobView(changes: Partial<JobView> = {}): JobView {
  return {
    jobId: 'job-1',
    type: 'simulate',
    status: 'queued',
    attempts: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...changes,
  };
}

/** A fake target and what was done with it. */
export interface FakeTarget extends Target {
  readonly calls: { method: string; path: string; body?: unknown }[];
  readonly closed: () => boolean;
}

/**
 * A target whose job API answers with `api` and that has no real clients;
 * the rest can be overridden. The job API is the real client over a `fetch`
 * that hands each request to `api` and records it, without retries.
 */
export function fakeTarget(
  api: (method: string, path: string, body?: unknown) => ApiResponse | Promise<ApiResponse>,
  overrides: Partial<Target> = {},
): FakeTarget {
  const calls: { method: string; path: string; body?: unknown }[] = [];
  let closed = false;
  const jobs = createJobClient({
    url: 'http://fake.target',
    auth: 'none',
    retry: false,
    fetch: async (input, init) => {
      const { pathname, search } = new URL(input);
      const method = init.method ?? 'GET';
      const body = typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
      calls.push({ method, path: `${pathname}${search}`, ...(body !== undefined ? { body } : {}) });
      const res = await api(method, `${pathname}${search}`, body);
      return Response.json(res.body, { status: res.status });
    },
  });
  return {
    kind: 'local',
    description: 'the fake target',
    region: 'us-east-1',
    stackName: 'Qw',
    sqs: {} as SQSClient,
    doc: {} as DynamoDBDocumentClient,
    tableName: 'jobs',
    retentionDays: 30,
    types: JOB_TYPES,
    ratesSource: 'rates: made up',
    manualRedrive: true,
    jobs,
    api: (method, path, body) => callApi(jobs, method, path, body),
    rates: async () => new Map(),
    schedules: async () => [],
    jobType: async (name) => {
      const t = JOB_TYPES.find((x) => x.type === name);
      if (!t) throw new Error(`no ${name}`);
      return { ...t, queueArn: 'arn:q', dlqArn: 'arn:dlq', maxAttempts: 3 };
    },
    close() {
      closed = true;
    },
    ...overrides,
    calls,
    closed: () => closed,
  };
}

/** An API that answers GET /jobs/{id} with each of `jobs` in turn, the last one for ever after. */
export function jobSequence(...jobs: JobView[]) {
  let i = 0;
  return (): ApiResponse => {
    const job = jobs[Math.min(i++, jobs.length - 1)];
    return { status: 200, body: { ...job } };
  };
}
