/**
 * `qw schedules`' rows, wherever they come from: the local runtime's console
 * (from the schedules it runs) or EventBridge Scheduler's API on AWS and
 * emulators, where the next firing is computed with the same cron library the
 * runtime fires with.
 */
import {
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  paginateListSchedules,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { parseScheduledJobId } from '../lambda/jobs/schedules.js';
import { nextFiring, parseExpression, scheduledTimeText } from '../local/core/schedules/expression.js';

/** One schedule as `qw schedules` and the dashboard show it. */
export interface ScheduleRow {
  /** The schedule's own name, in its group. */
  readonly name: string;
  /** The job type and the type's name for the schedule, when its input is a queue-workers job. */
  readonly jobType?: string;
  readonly schedule?: string;
  readonly expression: string;
  readonly timezone: string;
  readonly state: 'ENABLED' | 'DISABLED';
  /** ISO-8601, UTC; null when it will not fire again, or the time cannot be computed. */
  readonly nextFiring: string | null;
  /** Where a firing goes: a queue's or function's name or ARN. */
  readonly target: string;
}

/** The job type and schedule name a firing's input names, from its `jobId`. */
export function jobOfInput(input: string | undefined): { jobType?: string; schedule?: string } {
  try {
    const jobId = (JSON.parse(input ?? '') as { jobId?: unknown }).jobId;
    const parsed = typeof jobId === 'string' ? parseScheduledJobId(jobId) : undefined;
    return parsed ? { jobType: parsed.type, schedule: parsed.schedule } : {};
  } catch {
    return {};
  }
}

/** The next firing of a schedule Scheduler describes, after `now`: a rate counts from its start date or creation. */
export function nextFiringOf(schedule: GetScheduleCommandOutput, now: Date): string | null {
  if (schedule.State !== 'ENABLED') return null;
  const timing = parseExpression(schedule.ScheduleExpression ?? '', schedule.ScheduleExpressionTimezone ?? 'UTC');
  if (timing.kind === 'unsupported') return null;
  const from = schedule.StartDate && schedule.StartDate > now ? new Date(schedule.StartDate.getTime() - 1) : now;
  const next = nextFiring(timing, from, schedule.StartDate ?? schedule.CreationDate ?? now);
  if (!next || (schedule.EndDate && next > schedule.EndDate)) return null;
  return scheduledTimeText(next);
}

/** A row from Scheduler's description of a schedule. */
export function rowOfSchedule(schedule: GetScheduleCommandOutput, now: Date): ScheduleRow {
  return {
    name: schedule.Name ?? '',
    ...jobOfInput(schedule.Target?.Input),
    expression: schedule.ScheduleExpression ?? '',
    timezone: schedule.ScheduleExpressionTimezone ?? 'UTC',
    state: schedule.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
    nextFiring: nextFiringOf(schedule, now),
    target: (schedule.Target?.Arn ?? '').split(':').at(-1) ?? '',
  };
}

/** Every schedule of `group`, described one by one (ListSchedules omits the expression), by name. */
export async function listGroupSchedules(
  scheduler: SchedulerClient,
  group: string,
  now: Date = new Date(),
): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const page of paginateListSchedules({ client: scheduler }, { GroupName: group })) {
    for (const summary of page.Schedules ?? []) {
      const schedule = await scheduler.send(new GetScheduleCommand({ Name: summary.Name, GroupName: group }));
      rows.push(rowOfSchedule(schedule, now));
    }
  }
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}
