/** CloudWatch namespace of the workers' EMF metrics. */
export const METRICS_NAMESPACE = 'QueueWorkers';

/** Powertools service name; also the `service` dimension on every metric. */
export const SERVICE_NAME = 'queue-workers';

/** The per-type job metrics a worker publishes (EMF), each with the dimensions service and type. */
export const JOB_METRICS = Object.freeze({
  succeeded: 'succeeded',
  retried: 'retried',
  failed: 'failed',
  duration: 'duration',
});
