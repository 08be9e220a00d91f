import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Props of {@link JobAlarms}. */
export interface JobAlarmsProps {
  readonly jobTypeName: string;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly worker: IFunction;
  /** Alarm when the oldest waiting job is older than this. */
  readonly maxAgeSeconds: number;
  /** Where alarms (and their recovery) are sent. */
  readonly action: IAlarmAction;
}

/**
 * The four alarms that say a job type needs a person: jobs in the DLQ, jobs
 * waiting too long, worker errors, and worker throttles.
 */
export class JobAlarms extends Construct {
  public readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string, props: JobAlarmsProps) {
    super(scope, id);
    const t = props.jobTypeName;
    const oneMinute = Duration.minutes(1);
    this.alarms = [
      new Alarm(this, 'DeadLetters', {
        alarmDescription: `Jobs of type ${t} are in the dead-letter queue; inspect and redrive them.`,
        metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: oneMinute,
          statistic: 'Maximum',
        }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'OldestJobAge', {
        alarmDescription: `A ${t} job has waited over ${props.maxAgeSeconds} s; workers are behind or failing.`,
        metric: props.queue.metricApproximateAgeOfOldestMessage({ period: oneMinute, statistic: 'Maximum' }),
        threshold: props.maxAgeSeconds,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'WorkerErrors', {
        alarmDescription: `The ${t} worker failed whole invocations (crash, timeout or out of memory).`,
        metric: props.worker.metricErrors({ period: oneMinute, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      new Alarm(this, 'WorkerThrottles', {
        alarmDescription: `The ${t} worker is throttled; raise the account's concurrency or lower maxConcurrency elsewhere.`,
        metric: props.worker.metricThrottles({ period: oneMinute, statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 5,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    ];
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(props.action);
      alarm.addOkAction(props.action);
    }
  }
}
