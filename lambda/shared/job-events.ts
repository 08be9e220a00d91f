import { PutEventsCommand, type PutEventsRequestEntry, type PutEventsResponse } from '@aws-sdk/client-eventbridge';
import type { JobLogger } from '../jobs/define.js';
import { errorInfo } from './errors.js';
import type { JobErrorInfo } from './job.js';
import type { FinishedJob, FinishedJobListener } from './job-finished.js';

/** The stack output that names the job event bus: users' rules and `qw events` find the bus by it. */
export const JOB_EVENT_BUS_OUTPUT = 'JobEventBusName';

/** The `source` of every job event. */
export const JOB_EVENT_SOURCE = 'queue-workers';

/**
 * The detail-type of each job event, by the terminal status it announces. The
 * one list: the publisher, the docs' example rules and `qw events` read it.
 * A `cancelled` status adds `Job Cancelled` here.
 */
export const JOB_EVENT_DETAIL_TYPES = Object.freeze({
  succeeded: 'Job Succeeded',
  failed: 'Job Failed',
} as const);

/** A terminal status that has an event. */
export type JobEventStatus = keyof typeof JOB_EVENT_DETAIL_TYPES;

/** A job event's detail-type. */
export type JobEventDetailType = (typeof JOB_EVENT_DETAIL_TYPES)[JobEventStatus];

/**
 * The largest event the publisher sends by default, in bytes as EventBridge
 * counts them: one 64 KB billing chunk, which every target takes whole.
 */
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024;

/** EventBridge's own limit on one PutEvents entry. */
export const EVENTBRIDGE_MAX_ENTRY_BYTES = 1024 * 1024;

/** What every job event's detail carries. */
interface JobEventBase {
  readonly jobId: string;
  readonly type: string;
  readonly attempts: number;
  /** When the terminal status was written (ISO 8601). */
  readonly finishedAt: string;
}

/** Why a succeeded job's event carries no result. */
export interface ResultOmitted {
  readonly reason: 'too-large';
  /** The event's size with the result, as EventBridge counts it. */
  readonly eventBytes: number;
  readonly maxEventBytes: number;
}

/** The detail of a `Job Succeeded` event: the result, or why it was left out (read it with GET /jobs/{id}). */
export interface JobSucceededDetail extends JobEventBase {
  readonly status: 'succeeded';
  readonly result?: unknown;
  readonly resultOmitted?: ResultOmitted;
}

/** The detail of a `Job Failed` event. */
export interface JobFailedDetail extends JobEventBase {
  readonly status: 'failed';
  readonly error: JobErrorInfo;
}

/** The detail of a job event, by status. */
export type JobEventDetail = JobSucceededDetail | JobFailedDetail;

/** The size of a PutEvents entry as EventBridge counts it (its documented calculation). */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  size += Buffer.byteLength(entry.Source ?? '');
  size += Buffer.byteLength(entry.DetailType ?? '');
  size += Buffer.byteLength(entry.Detail ?? '');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource);
  return size;
}

/**
 * The detail of `job`'s event, before any size limit. Exhaustive over the
 * terminal statuses: a new one (`cancelled`) does not compile until it has its
 * detail here and its detail-type in {@link JOB_EVENT_DETAIL_TYPES}.
 */
export function jobEventDetail(job: FinishedJob): JobEventDetail {
  const base = { jobId: job.jobId, type: job.type, attempts: job.attempts, finishedAt: job.finishedAt };
  const status = job.status;
  switch (status) {
    case 'succeeded':
      return { ...base, status, ...(job.result !== undefined ? { result: job.result } : {}) };
    case 'failed':
      return { ...base, status, error: job.error ?? { code: 'UNKNOWN', message: 'No error was recorded.' } };
    default:
      return assertNever(status);
  }
}

function assertNever(status: never): never {
  throw new Error(`No job event for status ${String(status)}.`);
}

/**
 * The PutEvents entry announcing `job` on `busName`. A result that would take
 * the event over `maxEventBytes` is left out, and the detail says so: the job
 * record holds it.
 */
export function jobEventEntry(job: FinishedJob, busName: string, maxEventBytes: number): PutEventsRequestEntry {
  const detail = jobEventDetail(job);
  const entry = (d: JobEventDetail): PutEventsRequestEntry => ({
    EventBusName: busName,
    Source: JOB_EVENT_SOURCE,
    DetailType: JOB_EVENT_DETAIL_TYPES[d.status],
    Detail: JSON.stringify(d),
    Time: new Date(job.finishedAt),
  });
  const whole = entry(detail);
  const eventBytes = entrySize(whole);
  if (eventBytes <= maxEventBytes || detail.status !== 'succeeded') return whole;
  const { result: _left, ...rest } = detail;
  return entry({ ...rest, resultOmitted: { reason: 'too-large', eventBytes, maxEventBytes } });
}

/** The one EventBridge call the publisher makes; an `EventBridgeClient` fits, tests pass stubs. */
export interface EventsSender {
  send(command: PutEventsCommand): Promise<PutEventsResponse>;
}

/** What {@link jobEventPublisher} needs. */
export interface JobEventPublisherDeps {
  readonly events: EventsSender;
  readonly busName: string;
  /** @default {@link DEFAULT_MAX_EVENT_BYTES} */
  readonly maxEventBytes?: number;
  readonly logger: JobLogger;
  /** Counts an event that was not published (the `eventsNotPublished` metric). */
  readonly countFailure: (job: FinishedJob) => void;
}

/**
 * A {@link FinishedJobListener} that puts one `Job Succeeded` or `Job Failed`
 * event on the stack's bus. The finisher calls it only when its terminal write
 * won, so each job emits one event. A PutEvents that fails (the call, after
 * the SDK's own retries, or the entry) is logged and counted, never thrown:
 * the job's outcome does not depend on its event.
 */
export function jobEventPublisher(deps: JobEventPublisherDeps): FinishedJobListener {
  const maxEventBytes = deps.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  return async (job) => {
    const entry = jobEventEntry(job, deps.busName, maxEventBytes);
    let failure: JobErrorInfo | undefined;
    try {
      const out = await deps.events.send(new PutEventsCommand({ Entries: [entry] }));
      const failed = out.FailedEntryCount ? out.Entries?.[0] : undefined;
      if (failed || out.FailedEntryCount) {
        failure = { code: failed?.ErrorCode ?? 'FailedEntry', message: failed?.ErrorMessage ?? 'entry not accepted' };
      }
    } catch (error) {
      failure = errorInfo(error);
    }
    if (!failure) return;
    deps.countFailure(job);
    deps.logger.error('could not publish the job event; the job is unaffected', {
      jobId: job.jobId,
      type: job.type,
      status: job.status,
      detailType: entry.DetailType,
      busName: deps.busName,
      error: failure,
    });
  };
}
