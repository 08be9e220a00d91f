import type { SQSRecord } from 'aws-lambda';
import { JOB_METRICS, type JobMetricName } from '../shared/observability.js';
import type { WorkerLogger, WorkerMetrics } from './deps.js';
import type { RecordOutcome } from './outcome.js';

type Kind = RecordOutcome['kind'];
type OutcomeOf<K extends Kind> = Extract<RecordOutcome, { kind: K }>;

/** How one kind of outcome is reported: its log line and the counter it adds to. */
interface OutcomeReport<K extends Kind> {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly counter: JobMetricName;
  /** Fields of the log line beyond the job's ids. */
  readonly details: (outcome: OutcomeOf<K>) => Record<string, unknown>;
}

/**
 * What each outcome means for the logs and the metrics, as a table. Failures
 * are logged in full with their error; a job that went well is a DEBUG line
 * (the batch's summary says how many at INFO): log bytes are billed per job.
 * Every outcome adds one to its counter.
 */
export const OUTCOME_REPORTS: { readonly [K in Kind]: OutcomeReport<K> } = {
  succeeded: {
    level: 'debug',
    message: 'job succeeded',
    counter: JOB_METRICS.succeeded,
    details: (o) => ({ durationMs: o.durationMs }),
  },
  duplicate: {
    level: 'debug',
    message: 'job already finished; acknowledging the duplicate delivery',
    counter: JOB_METRICS.duplicates,
    details: () => ({}),
  },
  cancelled: {
    level: 'info',
    message: 'job cancelled',
    counter: JOB_METRICS.cancelled,
    details: (o) => ({ ran: o.ran, ...(o.durationMs !== undefined ? { durationMs: o.durationMs } : {}) }),
  },
  retry: {
    level: 'warn',
    message: 'job attempt failed; will retry',
    counter: JOB_METRICS.retried,
    details: (o) => ({ error: o.error, retryInSeconds: o.visibilitySeconds }),
  },
  'dead-lettered': {
    level: 'error',
    message: 'job failed and cannot be retried; sent to the dead-letter queue',
    counter: JOB_METRICS.failed,
    details: (o) => ({ error: o.error }),
  },
  exhausted: {
    level: 'error',
    message: 'job is out of attempts; sent to the dead-letter queue',
    counter: JOB_METRICS.failed,
    details: (o) => ({ error: o.error }),
  },
  'not-started': {
    level: 'warn',
    message: 'record not started; it comes back at once',
    counter: JOB_METRICS.notStarted,
    details: (o) => ({ reason: o.error.message }),
  },
};

/** Counters published for every batch, even at zero, so the dashboard's outcome charts have no gaps. */
const ALWAYS_PUBLISHED: readonly JobMetricName[] = [JOB_METRICS.succeeded, JOB_METRICS.retried, JOB_METRICS.failed];

/**
 * Job durations kept per batch for the `duration` metric. Each value is one
 * call of Powertools' `addMetric` (about a microsecond, more than the rest of a
 * record's bookkeeping) and a few bytes of log; CloudWatch's percentiles for a
 * minute combine the samples of every batch in it, so ten per batch describe a
 * type's durations well, and a batch of ten or fewer is reported in full.
 */
export const DURATION_SAMPLES = 10;

/**
 * A batch's log lines and metrics: one line per record as it settles, then
 * one EMF line for the batch with a count per outcome and a sample of job
 * durations, published through Powertools' Metrics.
 */
export class BatchReport {
  readonly #counts = new Map<JobMetricName, number>();
  readonly #durations: number[] = [];
  #timed = 0;

  readonly #startedAt = performance.now();
  #records = 0;

  constructor(
    private readonly logger: WorkerLogger,
    private readonly type: string,
    private readonly random: () => number = Math.random,
  ) {}

  /** Logs the record's outcome and counts it. */
  add(record: SQSRecord, outcome: RecordOutcome): void {
    const report = OUTCOME_REPORTS[outcome.kind] as OutcomeReport<Kind>;
    const { jobId, attempt } = outcome;
    this.logger[report.level](report.message, {
      jobId,
      type: this.type,
      attempt,
      messageId: record.messageId,
      ...report.details(outcome),
    });
    this.#counts.set(report.counter, (this.#counts.get(report.counter) ?? 0) + 1);
    this.#records += 1;
    if ('durationMs' in outcome && outcome.durationMs !== undefined) this.#sampleDuration(outcome.durationMs);
  }

  /** The batch's one INFO line: how many records, and what became of them. */
  summarize(): void {
    const counts = Object.fromEntries(this.#counts);
    this.logger.info('batch processed', {
      type: this.type,
      records: this.#records,
      ...counts,
      durationMs: Math.round(performance.now() - this.#startedAt),
    });
  }

  /** Adds the batch's counts and duration sample to `metrics` and publishes them as one EMF line. */
  publish(metrics: WorkerMetrics): void {
    for (const name of ALWAYS_PUBLISHED) if (!this.#counts.has(name)) this.#counts.set(name, 0);
    for (const [name, count] of this.#counts) metrics.addMetric(name, 'Count', count);
    for (const ms of this.#durations) metrics.addMetric(JOB_METRICS.duration, 'Milliseconds', ms);
    // Powertools publishes a metric's 100th value by itself; publishing an empty store again would only warn.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }

  /**
   * Keeps a uniform random sample of at most {@link DURATION_SAMPLES} job
   * durations (reservoir sampling): the percentiles stay unbiased within a
   * batch, and the job counts come from the counters.
   */
  #sampleDuration(ms: number): void {
    this.#timed += 1;
    if (this.#durations.length < DURATION_SAMPLES) {
      this.#durations.push(ms);
      return;
    }
    const slot = Math.floor(this.random() * this.#timed);
    if (slot < DURATION_SAMPLES) this.#durations[slot] = ms;
  }
}
