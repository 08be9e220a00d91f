/** CloudWatch namespace of the workers' EMF metrics. */
export const METRICS_NAMESPACE = 'QueueWorkers';

/** Powertools service name; also the `service` dimension on every metric. */
export const SERVICE_NAME = 'queue-workers';

/**
 * The per-type job metrics a worker publishes (EMF), each with the dimensions
 * service and type. The one list: the worker emits by these names and the
 * dashboard charts them.
 */
export const JOB_METRICS = Object.freeze({
  /** Jobs that finished with a result. */
  succeeded: 'succeeded',
  /** Attempts that failed and will be retried. */
  retried: 'retried',
  /** Jobs that failed for good (sent to the DLQ, or out of attempts). */
  failed: 'failed',
  /** Deliveries of jobs already finished, acknowledged without running. */
  duplicates: 'duplicates',
  /** Jobs that ended `cancelled` in a worker: cancelled before their attempt, or stopped when asked. */
  cancelled: 'cancelled',
  /** Records the worker did not start (deadline, or an earlier failure in their FIFO group). */
  notStarted: 'notStarted',
  /** Each job's run time, in milliseconds (a sample per batch). */
  duration: 'duration',
  /** Jobs the reconciler failed because their worker stopped during the last attempt. */
  leaseExpired: 'leaseExpired',
  /** Jobs whose lease ended long ago on an earlier attempt with no new attempt started (reconciler). */
  stalled: 'stalled',
  /** Job events EventBridge did not take (the call or the entry failed); the jobs themselves are unaffected. */
  eventsNotPublished: 'eventsNotPublished',
});

/** The name of one of {@link JOB_METRICS}. */
export type JobMetricName = (typeof JOB_METRICS)[keyof typeof JOB_METRICS];
