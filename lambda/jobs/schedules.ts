/**
 * Schedules a job type declares: each becomes one EventBridge Scheduler
 * schedule that sends the job's message straight to the type's queue, with a
 * job id unique per firing. This file holds what the CDK app, the local
 * runtime's tests and `qw` agree on: the shape, the checks made at synth, and
 * the message each firing sends.
 */
import type { $ZodType } from 'zod/v4/core';
import * as z from '../shared/zod.js';
import { cronProblem } from './cron-syntax.js';

/** When a schedule fires: exactly one of a cron expression, a rate or a moment, in EventBridge Scheduler's syntax. */
export type ScheduleWhen =
  /** `0 3 * * ? *`: minutes, hours, day of month, month, day of week (1 = Sunday), year; one day field is `?`. */
  | { readonly cron: string; readonly rate?: never; readonly at?: never }
  /** `15 minutes`, `1 hour`, `2 days`: from the deploy on, every period. */
  | { readonly rate: string; readonly cron?: never; readonly at?: never }
  /** `2027-01-01T09:00:00`: once, in the schedule's timezone. */
  | { readonly at: string; readonly cron?: never; readonly rate?: never };

/** A schedule of a job type: when it fires, and the payload of the job each firing creates. */
export type JobSchedule<P = unknown> = ScheduleWhen & {
  /** Unique within the type; part of each firing's job id. 1-64 lower-case letters and digits, separated by `.` or `-`. */
  readonly name: string;
  /**
   * The IANA timezone the expression is read in (`Europe/Paris`); daylight
   * saving time is followed as EventBridge Scheduler follows it.
   * @default 'UTC'
   */
  readonly timezone?: string;
  /** The job's payload; checked against the type's schema at synth. */
  readonly payload: P;
  /**
   * Whether the schedule fires; a disabled one is deployed and kept.
   * @default true
   */
  readonly enabled?: boolean;
};

/** EventBridge Scheduler's placeholder for the time a firing was due, `2026-03-22T18:59:43Z`. */
export const SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';
/** EventBridge Scheduler's placeholder for the id of one attempt to deliver a firing. */
export const EXECUTION_ID = '<aws.scheduler.execution-id>';
/** EventBridge Scheduler's placeholder for the attempt number of one delivery, from 1. */
export const ATTEMPT_NUMBER = '<aws.scheduler.attempt-number>';

const NAME_PATTERN = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
/** Longest schedule name: with the longest type name (40) and a scheduled time, a job id stays far within `MAX_JOB_ID_LENGTH`. */
export const MAX_SCHEDULE_NAME = 64;
const RATE_PATTERN = /^(\d+) (minute|minutes|hour|hours|day|days)$/;
const AT_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** `cron(...)`, `rate(...)` or `at(...)`: the schedule's expression as EventBridge Scheduler takes it. */
export function scheduleExpression(schedule: ScheduleWhen): string {
  if (schedule.cron !== undefined) return `cron(${schedule.cron})`;
  if (schedule.rate !== undefined) return `rate(${schedule.rate})`;
  return `at(${schedule.at})`;
}

/**
 * The job id of a firing: `sched:<type>:<name>:<scheduled time>`. Scheduler
 * fills in the time, so every firing is a job of its own, and a firing
 * delivered twice is the same job, which the worker runs once.
 */
export function scheduledJobId(typeName: string, scheduleName: string, scheduledTime = SCHEDULED_TIME): string {
  return `sched:${typeName}:${scheduleName}:${scheduledTime}`;
}

/** The schedule and type a job id names, when it is a firing's; undefined otherwise. */
export function parseScheduledJobId(
  jobId: string,
): { readonly type: string; readonly schedule: string; readonly scheduledTime: string } | undefined {
  const match = /^sched:([^:]+):([^:]+):(.+)$/.exec(jobId);
  if (!match) return undefined;
  const [, type = '', schedule = '', scheduledTime = ''] = match;
  return { type, schedule, scheduledTime };
}

/**
 * The message body a firing sends: the job envelope (`jobMessageSchema`) with
 * Scheduler's placeholders for the firing's time, plus `schedule`, which the
 * worker ignores and a dead letter keeps: which schedule, which delivery.
 */
export function scheduledMessage(typeName: string, schedule: JobSchedule): Record<string, unknown> {
  return {
    jobId: scheduledJobId(typeName, schedule.name),
    type: typeName,
    payload: schedule.payload,
    createdAt: SCHEDULED_TIME,
    schedule: { name: schedule.name, executionId: EXECUTION_ID, attempt: ATTEMPT_NUMBER },
  };
}

/** What a schedule check needs of a job type. */
export interface ScheduledType {
  readonly name: string;
  readonly payload: $ZodType;
  readonly schedules: readonly JobSchedule[];
}

/**
 * Every problem with a job type's schedules, each saying how to fix it: names
 * unique and fit for a job id, exactly one valid cron, rate or at
 * expression, a known timezone, and a payload the type's schema accepts.
 */
export function scheduleProblems(type: ScheduledType): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const schedule of type.schedules) {
    const at = `Job type "${type.name}", schedule "${schedule.name}":`;
    if (!NAME_PATTERN.test(schedule.name) || schedule.name.length > MAX_SCHEDULE_NAME) {
      problems.push(
        `${at} the name must be 1-${MAX_SCHEDULE_NAME} lower-case letters and digits, separated by "." or "-" (e.g. "nightly").`,
      );
    }
    if (seen.has(schedule.name)) problems.push(`${at} another schedule of this type has the same name; rename one.`);
    seen.add(schedule.name);
    const when = whenProblem(schedule);
    if (when) problems.push(`${at} ${when}`);
    if (schedule.timezone !== undefined && !isTimezone(schedule.timezone)) {
      problems.push(
        `${at} timezone "${schedule.timezone}" is not an IANA timezone; use one like "Europe/Paris" or "UTC".`,
      );
    }
    const payload = z.safeParse(type.payload, schedule.payload);
    if (!payload.success) {
      const fields = payload.error.issues.map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
      problems.push(`${at} the payload does not match the type's schema (${fields}).`);
    }
  }
  return problems;
}

/** What is wrong with the schedule's expression, or undefined. */
function whenProblem(schedule: ScheduleWhen): string | undefined {
  const given = (['cron', 'rate', 'at'] as const).filter((k) => schedule[k] !== undefined);
  if (given.length !== 1) {
    return `set exactly one of cron, rate or at (it has ${given.length ? given.join(' and ') : 'none'}).`;
  }
  if (schedule.cron !== undefined) {
    const problem = cronProblem(schedule.cron);
    return problem && `cron "${schedule.cron}": ${problem}`;
  }
  if (schedule.rate !== undefined) return rateProblem(schedule.rate);
  return atProblem(schedule.at ?? '');
}

function rateProblem(rate: string): string | undefined {
  const match = RATE_PATTERN.exec(rate);
  const value = Number(match?.[1]);
  const unit = match?.[2] ?? '';
  if (!match || value < 1 || (value === 1) !== !unit.endsWith('s')) {
    return `rate "${rate}" must be "<n> minutes|hours|days" with n >= 1, singular for 1 ("1 hour", "15 minutes").`;
  }
  return undefined;
}

function atProblem(at: string): string | undefined {
  const match = AT_PATTERN.exec(at);
  const [, y, mo, d, h, mi, s] = (match ?? []).map(Number);
  const date = new Date(Date.UTC(y ?? 0, (mo ?? 0) - 1, d, h, mi, s));
  const real =
    match && date.getUTCMonth() === (mo ?? 0) - 1 && date.getUTCDate() === d && (h ?? 24) < 24 && (mi ?? 60) < 60;
  if (!real || (s ?? 60) >= 60) return `at "${at}" must be a date and time "yyyy-mm-ddThh:mm:ss", without a zone.`;
  return undefined;
}

/** True for a timezone the platform's Intl knows: an IANA name or UTC. */
export function isTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
