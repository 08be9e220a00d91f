import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { JobTypeQueues } from '../ops/job-types.js';
import { fromAwsError } from './errors.js';

/** Age of the oldest message and finish rate of one job type; `null` where the target cannot tell. */
export interface Rates {
  readonly oldestAgeSeconds: number | null;
  readonly jobsPerSecond: number | null;
}

/** The window jobs/s averages over on AWS: SQS publishes its metrics once a minute. */
export const CLOUDWATCH_RATE_WINDOW_SECONDS = 300;

/**
 * Age of the oldest message (the latest one-minute Maximum of
 * ApproximateAgeOfOldestMessage) and jobs finished per second
 * (NumberOfMessagesDeleted over the last five minutes) of each queue, from
 * CloudWatch in one GetMetricData call.
 */
export async function cloudWatchRates(
  clientConfig: Record<string, unknown>,
  types: readonly JobTypeQueues[],
  now = new Date(),
): Promise<ReadonlyMap<string, Rates>> {
  const cw = new CloudWatchClient(clientConfig);
  const metric = (id: string, name: string, queue: string, stat: string): MetricDataQuery => ({
    Id: id,
    MetricStat: {
      Metric: { Namespace: 'AWS/SQS', MetricName: name, Dimensions: [{ Name: 'QueueName', Value: queue }] },
      Period: 60,
      Stat: stat,
    },
  });
  const queries = types.flatMap((t, i) => [
    metric(`age${i}`, 'ApproximateAgeOfOldestMessage', t.queueName, 'Maximum'),
    metric(`del${i}`, 'NumberOfMessagesDeleted', t.queueName, 'Sum'),
  ]);
  try {
    const out = await cw.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(now.getTime() - (CLOUDWATCH_RATE_WINDOW_SECONDS + 120) * 1000),
        EndTime: now,
        ScanBy: 'TimestampDescending',
      }),
    );
    const byId = new Map((out.MetricDataResults ?? []).map((r) => [r.Id ?? '', r]));
    return new Map(
      types.map((t, i) => {
        const age = byId.get(`age${i}`);
        const del = byId.get(`del${i}`);
        const deleted = (del?.Values ?? []).slice(0, CLOUDWATCH_RATE_WINDOW_SECONDS / 60).reduce((a, b) => a + b, 0);
        return [
          t.type,
          {
            // No datapoint for a minute means SQS saw no message: an empty queue has no age.
            oldestAgeSeconds: age?.Values?.[0] ?? null,
            jobsPerSecond: del ? deleted / CLOUDWATCH_RATE_WINDOW_SECONDS : null,
          },
        ];
      }),
    );
  } catch (error) {
    throw fromAwsError(error, 'Reading queue metrics from CloudWatch');
  } finally {
    cw.destroy();
  }
}
