import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { JOB_METRICS } from '../../../lambda/shared/observability.js';
import { BatchReport, DURATION_SAMPLES, OUTCOME_REPORTS } from '../../../lambda/worker/batch-report.js';
import type { RecordOutcome } from '../../../lambda/worker/outcome.js';
import { sqsRecord } from '../../helpers/events.js';
import { RecordingLogger, RecordingMetrics } from './fixtures.js';

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

const error = { code: 'E', message: 'boom' };
const succeeded = (durationMs: number): RecordOutcome => ({ kind: 'succeeded', jobId: 'j', attempt: 1, durationMs });

describe('BatchReport metrics', () => {
  it("publishes a batch's durations and counts in one EMF line, with Powertools' namespace and dimensions", () => {
    // Prepare
    const metrics = new Metrics({ namespace: 'QW', serviceName: 'svc', defaultDimensions: { type: 't' } });
    const report = new BatchReport(new RecordingLogger(), 't');

    // Act
    for (const ms of [3, 1, 2]) report.add(sqsRecord('{}'), succeeded(ms));
    report.add(sqsRecord('{}'), { kind: 'exhausted', jobId: 'j', attempt: 3, error });
    report.publish(metrics);

    // Assess
    const [emf] = emfLines() as [
      Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } },
    ];
    expect(emfLines()).toHaveLength(1);
    expect(emf).toMatchObject({ duration: [3, 1, 2], succeeded: 3, failed: 1, retried: 0, type: 't', service: 'svc' });
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

  it('starts the next batch empty once a batch is published', () => {
    const metrics = new Metrics({ namespace: 'QW', serviceName: 'svc' });
    const first = new BatchReport(new RecordingLogger(), 't');
    first.add(sqsRecord('{}'), succeeded(5));
    first.publish(metrics);

    const second = new BatchReport(new RecordingLogger(), 't');
    second.add(sqsRecord('{}'), { kind: 'duplicate', jobId: 'j', attempt: 1 });
    second.publish(metrics);

    const lines = emfLines();
    expect(lines).toHaveLength(2);
    expect(lines[1]?.duration).toBeUndefined();
    expect(lines[1]?.duplicates).toBe(1);
    expect(lines[1]?.succeeded).toBe(0);
  });

  it('prints nothing when metrics are disabled', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const metrics = new Metrics({ namespace: 'QW', serviceName: 'svc' });
    const report = new BatchReport(new RecordingLogger(), 't');

    report.add(sqsRecord('{}'), succeeded(5));
    report.publish(metrics);

    expect(emfLines()).toHaveLength(0);
  });

  it('keeps at most one EMF line of durations however many jobs ran, sampled from all of them', () => {
    // Prepare: 1,000 jobs, durations 0..999
    const metrics = new RecordingMetrics();
    let seed = 1;
    const report = new BatchReport(new RecordingLogger(), 't', () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    });

    // Act
    for (let ms = 0; ms < 1000; ms++) report.add(sqsRecord('{}'), succeeded(ms));
    report.publish(metrics);

    // Assess
    const durations = metrics.added.filter((m) => m.name === JOB_METRICS.duration).map((m) => m.value);
    expect(durations).toHaveLength(DURATION_SAMPLES);
    expect(Math.max(...durations)).toBeGreaterThan(500);
    expect(metrics.sum(JOB_METRICS.succeeded)).toBe(1000);
  });
});

describe('BatchReport log lines', () => {
  const outcomes: RecordOutcome[] = [
    succeeded(7),
    { kind: 'duplicate', jobId: 'j', attempt: 1 },
    { kind: 'retry', jobId: 'j', attempt: 1, error, visibilitySeconds: 4 },
    { kind: 'dead-lettered', jobId: 'j', attempt: 1, error },
    { kind: 'exhausted', jobId: 'j', attempt: 3, error },
    { kind: 'not-started', jobId: 'j', attempt: 1, error },
  ];

  it.each(outcomes)('logs a $kind outcome at its level with the job ids, and counts it', (outcome) => {
    // Prepare
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const report = new BatchReport(logger, 'test.job');
    const record = sqsRecord('{}');

    // Act
    report.add(record, outcome);
    report.publish(metrics);

    // Assess
    const row = OUTCOME_REPORTS[outcome.kind];
    expect(logger.lines).toEqual([
      {
        level: row.level,
        message: row.message,
        extra: expect.objectContaining({
          jobId: 'j',
          type: 'test.job',
          attempt: outcome.attempt,
          messageId: record.messageId,
        }),
      },
    ]);
    expect(metrics.sum(row.counter)).toBe(1);
  });

  it('logs every failure with its error', () => {
    const logger = new RecordingLogger();
    const report = new BatchReport(logger, 't');

    for (const outcome of outcomes) report.add(sqsRecord('{}'), outcome);

    const failures = logger.lines.filter((l) => l.level === 'error');
    expect(failures).toHaveLength(2);
    for (const line of failures) expect(line.extra?.error).toEqual(error);
  });
});
