import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { Deadline } from '../../../lambda/worker/deadline.js';
import { JobMetrics } from '../../../lambda/worker/job-metrics.js';

let stdout: MockInstance<typeof process.stdout.write>;

/** Every EMF line written to stdout. */
function emfLines(): Record<string, unknown>[] {
  return stdout.mock.calls
    .flatMap((c) => String(c[0]).split('\n'))
    .filter((l) => l.startsWith('{') && l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

beforeEach(() => {
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', '');
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  vi.unstubAllEnvs();
});

describe('JobMetrics', () => {
  it('publishes values added in one call in the same EMF line as addMetric, with Powertools dimensions', () => {
    // Prepare
    const metrics = new JobMetrics({ namespace: 'QW', serviceName: 'svc', defaultDimensions: { type: 't' } });

    // Act
    metrics.addMetricValues('duration', 'Milliseconds', [3, 1, 2]);
    metrics.addMetricValues('succeeded', 'Count', [3]);
    metrics.addMetric('failed', 'Count', 1);
    metrics.publishStoredMetrics();

    // Assess
    const [emf] = emfLines() as [
      Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } },
    ];
    expect(emf).toMatchObject({ duration: [3, 1, 2], succeeded: 3, failed: 1, type: 't', service: 'svc' });
    const directive = emf._aws.CloudWatchMetrics[0] as unknown as {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    };
    expect(directive.Namespace).toBe('QW');
    expect(directive.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'type']));
    expect(directive.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'duration', Unit: 'Milliseconds' },
        { Name: 'succeeded', Unit: 'Count' },
        { Name: 'failed', Unit: 'Count' },
      ]),
    );
  });

  it('clears the values once published, so the next batch starts empty', () => {
    const metrics = new JobMetrics({ namespace: 'QW', serviceName: 'svc' });
    metrics.addMetricValues('duration', 'Milliseconds', [5]);
    metrics.publishStoredMetrics();

    metrics.addMetricValues('succeeded', 'Count', [1]);
    metrics.publishStoredMetrics();

    const lines = emfLines();
    expect(lines).toHaveLength(2);
    expect(lines[1]?.duration).toBeUndefined();
    expect(lines[1]?.succeeded).toBe(1);
  });

  it('prints nothing when metrics are disabled', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const metrics = new JobMetrics({ namespace: 'QW', serviceName: 'svc' });

    metrics.addMetricValues('duration', 'Milliseconds', [5]);
    metrics.publishStoredMetrics();

    expect(emfLines()).toHaveLength(0);
  });

  it('refuses more values than one EMF line holds', () => {
    const metrics = new JobMetrics({ namespace: 'QW', serviceName: 'svc' });

    expect(() => metrics.addMetricValues('duration', 'Milliseconds', new Array(101).fill(1))).toThrow(/At most 100/);
  });
});

describe('Deadline signal', () => {
  it('is already aborted when first asked for after the deadline passed', () => {
    // Prepare: nothing has looked at the signal before the deadline fires
    const deadline = new Deadline(Number.POSITIVE_INFINITY);

    // Act
    deadline.abort();

    // Assess
    expect(deadline.passed).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toMatchObject({ name: 'DeadlineExceededError' });
  });

  it('aborts a signal handed out before the deadline', () => {
    const deadline = new Deadline(Number.POSITIVE_INFINITY);
    const signal = deadline.signal;

    deadline.abort();

    expect(signal.aborted).toBe(true);
  });
});
