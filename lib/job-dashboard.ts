import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Dashboard, GraphWidget, type IMetric, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { JOB_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../lambda/shared/observability.js';

/** One job type's resources, as the dashboard charts them. */
export interface DashboardJobType {
  readonly name: string;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly worker: IFunction;
}

/** Props of {@link JobDashboard}. */
export interface JobDashboardProps {
  readonly jobTypes: readonly DashboardJobType[];
  /** The job API, for request, error and latency charts. */
  readonly api: RestApi;
  /**
   * The dashboard's name.
   * @default a name CloudFormation generates
   */
  readonly dashboardName?: string;
}

const PERIOD = Duration.minutes(1);
const WIDTH = 8;
const HEIGHT = 6;

/**
 * One CloudWatch dashboard for the stack: the API, then a row per job type with
 * queue depth, age of the oldest job, DLQ depth, worker duration, errors and
 * throttles, and jobs succeeded, retried and failed (the workers' EMF metrics).
 */
export class JobDashboard extends Construct {
  public readonly dashboard: Dashboard;

  // biome-ignore lint/complexity/noExcessiveLinesPerFunction: a declarative CDK constructor, one widget after another.
  constructor(scope: Construct, id: string, props: JobDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      ...(props.dashboardName ? { dashboardName: props.dashboardName } : {}),
      defaultInterval: Duration.hours(3),
    });

    const api = props.api;
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests and errors',
        width: WIDTH,
        height: HEIGHT,
        left: [
          api.metricCount({ period: PERIOD, label: 'requests' }),
          api.metricClientError({ period: PERIOD, label: '4xx' }),
          api.metricServerError({ period: PERIOD, label: '5xx' }),
        ],
      }),
      new GraphWidget({
        title: 'API latency',
        width: WIDTH,
        height: HEIGHT,
        left: [
          api.metricLatency({ period: PERIOD, statistic: 'p50', label: 'p50' }),
          api.metricLatency({ period: PERIOD, statistic: 'p99', label: 'p99' }),
        ],
      }),
    );

    for (const t of props.jobTypes) {
      const job = (metricName: string, statistic: string, label: string): IMetric =>
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName,
          dimensionsMap: { service: SERVICE_NAME, type: t.name },
          period: PERIOD,
          statistic,
          label,
        });
      this.dashboard.addWidgets(new TextWidget({ markdown: `## Job type \`${t.name}\``, width: 24, height: 1 }));
      this.dashboard.addWidgets(
        new GraphWidget({
          title: `${t.name}: queue depth`,
          width: WIDTH,
          height: HEIGHT,
          left: [
            t.queue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: 'Maximum',
              label: 'waiting',
            }),
            t.queue.metricApproximateNumberOfMessagesNotVisible({
              period: PERIOD,
              statistic: 'Maximum',
              label: 'in flight',
            }),
          ],
          right: [
            t.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period: PERIOD,
              statistic: 'Maximum',
              label: 'DLQ',
            }),
          ],
        }),
        new GraphWidget({
          title: `${t.name}: age of oldest job (s)`,
          width: WIDTH,
          height: HEIGHT,
          left: [
            t.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum', label: 'oldest' }),
          ],
        }),
        new GraphWidget({
          title: `${t.name}: jobs`,
          width: WIDTH,
          height: HEIGHT,
          left: [
            job(JOB_METRICS.succeeded, 'Sum', 'succeeded'),
            job(JOB_METRICS.retried, 'Sum', 'retried'),
            job(JOB_METRICS.failed, 'Sum', 'failed'),
          ],
        }),
        new GraphWidget({
          title: `${t.name}: worker duration (ms)`,
          width: WIDTH,
          height: HEIGHT,
          left: [
            t.worker.metricDuration({ period: PERIOD, statistic: 'p50', label: 'invocation p50' }),
            t.worker.metricDuration({ period: PERIOD, statistic: 'p99', label: 'invocation p99' }),
            job(JOB_METRICS.duration, 'p99', 'job p99'),
          ],
        }),
        new GraphWidget({
          title: `${t.name}: worker errors and throttles`,
          width: WIDTH,
          height: HEIGHT,
          left: [
            t.worker.metricErrors({ period: PERIOD, statistic: 'Sum', label: 'errors' }),
            t.worker.metricThrottles({ period: PERIOD, statistic: 'Sum', label: 'throttles' }),
          ],
        }),
      );
    }
  }
}
