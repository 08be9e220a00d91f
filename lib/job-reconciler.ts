import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IAlarmAction, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../lambda/shared/config.js';
import { JOB_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/shared/observability.js';
import { QueueWorkersFunction } from './function.js';
import type { JobTable } from './job-table.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Props of {@link JobReconciler}. */
export interface JobReconcilerProps {
  /** The job table, with its lease index. */
  readonly table: JobTable;
  /** Days a finished job stays in the table. */
  readonly retentionDays: number;
  /** Where the stalled-jobs alarm (and its recovery) goes. */
  readonly action: IAlarmAction;
  /**
   * How often the reconciler runs.
   * @default Schedule.rate(Duration.minutes(1))
   */
  readonly schedule?: Schedule;
  /**
   * Seconds after a last attempt's lease ends before the reconciler fails the
   * job; the worker normally dead-letters it first, when SQS delivers it once more.
   * @default 60
   */
  readonly graceSeconds?: number;
  /**
   * Seconds after an earlier attempt's lease ends, with no new attempt started,
   * before the job counts as stalled.
   * @default 300
   */
  readonly stalledAfterSeconds?: number;
  /**
   * How long its logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The reconciler: a function run on a schedule that finds, through the job
 * table's lease index, the running jobs whose worker stopped without a word
 * (crash, hard timeout, out of memory), fails those on their last attempt and
 * reports the rest as stalled. Granted only a query of the table's indexes and
 * updates of its items; an alarm fires while jobs are stalled.
 */
export class JobReconciler extends Construct {
  public readonly function: QueueWorkersFunction;
  public readonly rule: Rule;
  public readonly stalledAlarm: Alarm;

  constructor(scope: Construct, id: string, props: JobReconcilerProps) {
    super(scope, id);
    this.function = new QueueWorkersFunction(this, 'Function', {
      entry: path.join(here, '../lambda/reconciler/handler.ts'),
      description: 'queue-workers reconciler: fails jobs whose worker stopped during their last attempt',
      timeout: Duration.seconds(60),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      environment: {
        [ENV.tableName]: props.table.table.tableName,
        [ENV.retentionDays]: String(props.retentionDays),
        ...(props.graceSeconds !== undefined ? { [ENV.reconcilerGraceSeconds]: String(props.graceSeconds) } : {}),
        ...(props.stalledAfterSeconds !== undefined
          ? { [ENV.reconcilerStalledAfterSeconds]: String(props.stalledAfterSeconds) }
          : {}),
      },
    });
    props.table.grantLeaseQuery(this.function);
    props.table.grantItems(this.function, 'dynamodb:UpdateItem');
    this.rule = new Rule(this, 'Schedule', {
      description: 'Runs the queue-workers reconciler',
      schedule: props.schedule ?? Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.function, { retryAttempts: 2 })],
    });

    // The reconciler publishes a service-wide total beside the per-type counts: one plain metric to watch.
    this.stalledAlarm = new Alarm(this, 'StalledJobs', {
      alarmDescription:
        'Jobs are stalled: a worker stopped during an attempt and SQS has not delivered the job again for minutes. The per-type metric names the type.',
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: JOB_METRICS.stalled,
        dimensionsMap: { service: SERVICE_NAME },
        statistic: 'Sum',
        period: Duration.minutes(1),
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.stalledAlarm.addAlarmAction(props.action);
    this.stalledAlarm.addOkAction(props.action);
  }
}
