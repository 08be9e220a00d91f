import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors.js';
import { CLOUDWATCH_RATE_WINDOW_SECONDS, cloudWatchRates } from '../../../cli/rates.js';
import { JOB_TYPES } from './fakes.js';

const cw = mockClient(CloudWatchClient);
const CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };

describe('cloudWatchRates', () => {
  beforeEach(() => cw.reset());

  it('reads the latest oldest-message age and the deletions of the window per second, in one call', async () => {
    // Prepare
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'age0', Values: [42, 10] },
        // Newest first; only the window's minutes count.
        { Id: 'del0', Values: [60, 60, 60, 60, 60, 999] },
      ],
    });
    const now = new Date('2026-01-01T12:00:00Z');

    // Act
    const rates = await cloudWatchRates(CONFIG, JOB_TYPES, now);

    // Assess
    expect(Object.fromEntries(rates)).toEqual({
      simulate: { oldestAgeSeconds: 42, jobsPerSecond: 300 / CLOUDWATCH_RATE_WINDOW_SECONDS },
      // No datapoints at all: CloudWatch knows nothing of this queue, so neither does qw.
      'webhook.deliver': { oldestAgeSeconds: null, jobsPerSecond: null },
    });
    const input = cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input?.EndTime).toEqual(now);
    expect(
      input?.MetricDataQueries?.map((q) => `${q.Id} ${q.MetricStat?.Metric?.MetricName} ${q.MetricStat?.Stat}`),
    ).toEqual([
      'age0 ApproximateAgeOfOldestMessage Maximum',
      'del0 NumberOfMessagesDeleted Sum',
      'age1 ApproximateAgeOfOldestMessage Maximum',
      'del1 NumberOfMessagesDeleted Sum',
    ]);
  });

  it('reads a queue with a deletion series but no age datapoint as empty: no age, zero jobs/s', async () => {
    // Prepare
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'age0', Values: [] },
        { Id: 'del0', Values: [] },
      ],
    });

    // Act
    const rates = await cloudWatchRates(CONFIG, JOB_TYPES.slice(0, 1));

    // Assess
    expect(rates.get('simulate')).toEqual({ oldestAgeSeconds: null, jobsPerSecond: 0 });
  });

  it('maps a CloudWatch permission error to exit 4', async () => {
    // Prepare
    cw.on(GetMetricDataCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));

    // Act
    const error = await cloudWatchRates(CONFIG, JOB_TYPES).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ exitCode: EXIT.NO_PERMISSION });
  });
});
