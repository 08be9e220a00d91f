import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { SqsSendMessage } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type JobSchedule, scheduledMessage, scheduleExpression } from '../lambda/jobs/schedules.js';

/** One job type's schedules and where their firings go. */
export interface ScheduledJobType {
  readonly name: string;
  readonly schedules: readonly JobSchedule[];
  /** The type's queue: each firing sends the job's message here. */
  readonly queue: IQueue;
  /** The type's DLQ: a firing Scheduler could not deliver goes here, unless it is FIFO (Scheduler refuses those). */
  readonly deadLetterQueue: IQueue;
}

/** Props of {@link JobSchedules}. */
export interface JobSchedulesProps {
  /** Every job type; those without schedules get nothing. */
  readonly jobTypes: readonly ScheduledJobType[];
  /**
   * How many times Scheduler retries a firing SQS did not take (throttled, unavailable).
   * @default 10
   */
  readonly retryAttempts?: number;
  /**
   * How long Scheduler keeps trying one firing before it goes to the DLQ.
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;
}

/** Longest schedule name Scheduler accepts. */
const MAX_SCHEDULE_NAME = 64;

/**
 * The job types' schedules: one EventBridge Scheduler schedule per entry, in a
 * schedule group of the stack's own, each sending the job's message straight
 * to its type's queue (no function in between) with a job id unique per firing.
 * Per type, one role that Scheduler may assume only for this group, which may
 * send only to that queue and its DLQ. The flexible time window is off, so a
 * firing's scheduled time is the time it was due.
 */
export class JobSchedules extends Construct {
  /** The group every schedule is in; `qw schedules` lists it. */
  public readonly group: ScheduleGroup;
  /** The schedules, by `<type>/<name>`. */
  public readonly schedules: Readonly<Record<string, Schedule>>;

  constructor(scope: Construct, id: string, props: JobSchedulesProps) {
    super(scope, id);
    this.group = new ScheduleGroup(this, 'Group');
    const schedules: Record<string, Schedule> = {};
    for (const type of props.jobTypes) {
      if (!type.schedules.length) continue;
      const typeId = constructId(type.name);
      const role = this.schedulerRole(`${typeId}Role`);
      for (const schedule of type.schedules) {
        schedules[`${type.name}/${schedule.name}`] = new Schedule(this, `${typeId}${constructId(schedule.name)}`, {
          ...physicalName(type.name, schedule.name),
          description: `queue-workers: a ${type.name} job on ${scheduleExpression(schedule)}`,
          scheduleGroup: this.group,
          schedule: ScheduleExpression.expression(
            scheduleExpression(schedule),
            TimeZone.of(schedule.timezone ?? 'UTC'),
          ),
          timeWindow: TimeWindow.off(),
          enabled: schedule.enabled ?? true,
          target: new SqsSendMessage(type.queue, {
            role,
            input: ScheduleTargetInput.fromText(JSON.stringify(scheduledMessage(type.name, schedule))),
            retryAttempts: props.retryAttempts ?? 10,
            maxEventAge: props.maxEventAge ?? Duration.hours(1),
            // Scheduler refuses a FIFO DLQ; a FIFO firing it cannot deliver is dropped (InvocationDroppedCount).
            ...(type.queue.fifo ? { messageGroupId: schedule.name } : { deadLetterQueue: type.deadLetterQueue }),
          }),
        });
      }
    }
    this.schedules = schedules;
  }

  /** A role only Scheduler may assume, and only for schedules of this group in this account (no confused deputy). */
  private schedulerRole(id: string): Role {
    return new Role(this, id, {
      description: 'EventBridge Scheduler sends scheduled queue-workers jobs to their queue',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account, 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
  }
}

/** `webhook.deliver` to `WebhookDeliver`: a construct id from a name. */
function constructId(name: string): string {
  return name.replace(/(^|[^a-zA-Z0-9])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}

/**
 * `<type>_<name>` when it fits Scheduler's 64 characters (`_` is in neither, so
 * the pair is unique in the group and readable in the console); otherwise
 * CloudFormation names it, and `qw` reads the type and name from the input.
 */
function physicalName(type: string, name: string): { scheduleName?: string } {
  const full = `${type}_${name}`;
  return full.length <= MAX_SCHEDULE_NAME ? { scheduleName: full } : {};
}
