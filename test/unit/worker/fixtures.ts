import { setTimeout as sleep } from 'node:timers/promises';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { defineJobType, type JobContext, type JobLogger, type QueueSettings } from '../../../lambda/jobs/define.js';
import { NonRetryableError, RetryableError } from '../../../lambda/shared/errors.js';
import type { JobRecord, JobStatus } from '../../../lambda/shared/job.js';
import * as z from '../../../lambda/shared/zod.js';
import type { WorkerDeps, WorkerMetrics } from '../../../lambda/worker/deps.js';
import { jobRecord } from '../../helpers/events.js';
import { MemoryJobStore } from '../../helpers/memory-store.js';

export const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/qw-test';
export const DLQ_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/qw-test-dlq';
export const NOW = new Date('2026-11-24T00:00:00.000Z');

/** What a test job does, chosen per record by its payload. */
export const testPayload = z.strictObject({
  do: z.enum(['ok', 'retry', 'fatal', 'throw-plain', 'wait-for-abort', 'ignore-abort', 'report-progress']),
  sleepMs: z.optional(z.number()),
  /** For report-progress: the values to report, one every `sleepMs`, then `thenMs` more before returning. */
  reports: z.optional(z.array(z.number())),
  thenMs: z.optional(z.number()),
});
export type TestPayload = z.infer<typeof testPayload>;

/** Every call a test job received, with the status its record had while it ran. */
export interface Call {
  readonly payload: TestPayload;
  readonly ctx: JobContext;
  readonly statusWhileRunning: JobStatus | undefined;
  readonly attemptsWhileRunning: number | undefined;
  readonly abortedAtEnd?: boolean;
}

/** A job type whose handler does what each payload says and records every call. */
export function testJobType(store: MemoryJobStore, queue: QueueSettings = {}) {
  const calls: Call[] = [];
  let running = 0;
  const concurrency = { max: 0 };
  const type = defineJobType({
    name: 'test.job',
    description: 'test job',
    payload: testPayload,
    queue: { maxAttempts: 3, backoff: { baseSeconds: 2, capSeconds: 60 }, ...queue },
    handler: async (payload, ctx) => {
      const current = store.records.get(ctx.jobId);
      const call: Call = {
        payload,
        ctx,
        statusWhileRunning: current?.status,
        attemptsWhileRunning: current?.attempts,
      };
      calls.push(call);
      running += 1;
      concurrency.max = Math.max(concurrency.max, running);
      try {
        if (payload.sleepMs && payload.do !== 'report-progress') await sleep(payload.sleepMs);
        switch (payload.do) {
          case 'ok':
            return { echo: ctx.jobId, attempt: ctx.attempt };
          case 'retry':
            throw new RetryableError('temporary trouble');
          case 'fatal':
            throw new NonRetryableError('will never work');
          case 'throw-plain':
            throw new TypeError('boom');
          case 'wait-for-abort':
            await sleep(60_000, undefined, { signal: ctx.signal });
            return 'unreachable';
          case 'ignore-abort':
            await sleep(60_000);
            return 'too late';
          case 'report-progress':
            for (const value of payload.reports ?? []) {
              await ctx.progress(value);
              await sleep(payload.sleepMs ?? 0);
            }
            await sleep(payload.thenMs ?? 0);
            return { reported: payload.reports?.length ?? 0 };
        }
      } finally {
        running -= 1;
      }
    },
  });
  return { type, calls, concurrency };
}

/** A metrics sink that keeps what was added and how often it was published. */
export class RecordingMetrics implements WorkerMetrics {
  readonly added: { name: string; unit: string; value: number }[] = [];
  published = 0;
  addMetric(name: string, unit: string, value: number): void {
    this.added.push({ name, unit, value });
  }
  hasStoredMetrics(): boolean {
    return true;
  }
  publishStoredMetrics(): void {
    this.published += 1;
  }
  /** Sum of a metric over every value added. */
  sum(name: string): number {
    return this.added.filter((m) => m.name === name).reduce((a, m) => a + m.value, 0);
  }
}

/** A logger that keeps every line. */
export class RecordingLogger implements JobLogger {
  readonly lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  debug(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'debug', message, extra });
  }
  info(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra?: Record<string, unknown>) {
    this.lines.push({ level: 'error', message, extra });
  }
}

/** Worker dependencies on memory, with a real SQSClient for aws-sdk-client-mock to intercept. */
export function workerDeps(
  queue: QueueSettings = {},
  overrides: Partial<WorkerDeps> = {},
): WorkerDeps & { store: MemoryJobStore; metrics: RecordingMetrics; logger: RecordingLogger } & ReturnType<
    typeof testJobType
  > {
  // Logged: some tests assert which transitions were asked for, not only where the job ended.
  const store = new MemoryJobStore({ log: true, now: () => NOW });
  const job = testJobType(store, queue);
  return {
    ...job,
    store,
    jobType: job.type,
    config: { tableName: 'jobs', jobType: 'test.job', queueUrl: QUEUE_URL, dlqUrl: DLQ_URL, retentionDays: 30 },
    sqs: new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    logger: new RecordingLogger(),
    metrics: new RecordingMetrics(),
    now: () => NOW,
    random: () => 0.5,
    ...overrides,
  } as WorkerDeps & { store: MemoryJobStore; metrics: RecordingMetrics; logger: RecordingLogger } & ReturnType<
      typeof testJobType
    >;
}

/** A queued job record in the store, as the API leaves it. */
export function queued(
  store: MemoryJobStore,
  jobId: string,
  status: JobStatus = 'queued',
  attempts = 0,
  lastMessageId?: string,
): JobRecord {
  const record: JobRecord = {
    jobId,
    type: 'test.job',
    status,
    attempts,
    maxAttempts: 3,
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
    ...(lastMessageId !== undefined ? { lastMessageId } : {}),
  };
  store.records.set(jobId, record);
  return record;
}

/** A test job's SQS record, its job already `queued` in the store. */
export function job(
  store: MemoryJobStore,
  jobId: string,
  payload: TestPayload | Record<string, unknown>,
  overrides: Partial<SQSRecord> & { receiveCount?: number } = {},
): SQSRecord {
  queued(store, jobId);
  return jobRecord(jobId, 'test.job', payload, overrides);
}

/** Ids of a response's batchItemFailures, sorted. */
export function failedIds(response: { batchItemFailures: { itemIdentifier: string }[] }): string[] {
  return response.batchItemFailures.map((f) => f.itemIdentifier).sort();
}
