import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { completionCallbacks } from '../shared/completion-callbacks.js';
import { loadCallbackConfig, loadJobEventsConfig, loadReconcilerConfig } from '../shared/config.js';
import { jobEventPublisher } from '../shared/job-events.js';
import { composeListeners } from '../shared/job-finished.js';
import { DynamoJobStore } from '../shared/job-store.js';
import { JOB_METRICS, METRICS_NAMESPACE, SERVICE_NAME } from '../shared/observability.js';
import { powertoolsJobLogger } from '../shared/powertools-logger.js';
import { type ReconcilerCounts, reconcile } from './reconcile.js';

const config = loadReconcilerConfig(process.env);
const eventsConfig = loadJobEventsConfig(process.env);
const events = new EventBridgeClient({});
const logger = new Logger({ serviceName: SERVICE_NAME, persistentKeys: { function: 'reconciler' } });
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
const store = new DynamoJobStore({ doc, tableName: config.tableName, retentionDays: config.retentionDays });
const jobLogger = powertoolsJobLogger(logger);
const callbacks = loadCallbackConfig(process.env);
const callbackListener =
  callbacks && completionCallbacks({ store, sqs: new SQSClient({}), config: callbacks, logger: jobLogger });

/** One EMF line per job type, with the type as a dimension, as the workers publish theirs. */
function publish(counts: ReconcilerCounts, eventsNotPublished: ReadonlyMap<string, number>): void {
  for (const [type, { expired, stalled }] of counts) {
    const metrics = new Metrics({
      namespace: METRICS_NAMESPACE,
      serviceName: SERVICE_NAME,
      defaultDimensions: { type },
    });
    metrics.addMetric(JOB_METRICS.leaseExpired, 'Count', expired);
    metrics.addMetric(JOB_METRICS.stalled, 'Count', stalled);
    const notPublished = eventsNotPublished.get(type);
    if (notPublished) metrics.addMetric(JOB_METRICS.eventsNotPublished, 'Count', notPublished);
    metrics.publishStoredMetrics();
  }
}

/** EventBridge schedule entry point: one reconciliation, its figures logged and published. */
export async function handler(_event: unknown, context: Context): Promise<{ expired: number; stalled: number }> {
  logger.addContext(context);
  // Per invocation: the metric line of each type counts the events this run could not publish.
  const eventsNotPublished = new Map<string, number>();
  const onFinished = composeListeners(
    jobEventPublisher({
      events,
      ...eventsConfig,
      logger: jobLogger,
      countFailure: (job) => eventsNotPublished.set(job.type, (eventsNotPublished.get(job.type) ?? 0) + 1),
    }),
    callbackListener,
  );
  const report = await reconcile({ store, logger: jobLogger, policy: config, onFinished });
  publish(report.counts, eventsNotPublished);
  logger.info('reconciled the job table with its leases', {
    expired: report.expired.length,
    stalled: report.stalled.length,
  });
  return { expired: report.expired.length, stalled: report.stalled.length };
}
