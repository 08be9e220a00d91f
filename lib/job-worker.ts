import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type ResolvedQueueSettings, type StorageAccess, visibilityTimeoutSeconds } from '../lambda/jobs/define.js';
import { ENV } from '../lambda/shared/config.js';
import { QueueWorkersFunction } from './function.js';
import type { JobBucket } from './job-bucket.js';
import type { JobTable } from './job-table.js';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Props of {@link JobWorker}. */
export interface JobWorkerProps {
  readonly jobTypeName: string;
  readonly settings: ResolvedQueueSettings;
  /** The queue the worker consumes. */
  readonly queue: IQueue;
  /** Where the worker parks jobs that must not be retried. */
  readonly deadLetterQueue: IQueue;
  /** The job-status table. */
  readonly table: JobTable;
  /** Days a finished job stays in the table. */
  readonly retentionDays: number;
  /**
   * How long the worker's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Jobs may call private, loopback and link-local addresses (webhook.deliver's guard is off).
   * @default false
   */
  readonly allowPrivateNetworks?: boolean;
  /**
   * The stack's bucket. Every worker reads `payloads/` and writes `results/` (the
   * claim check); {@link storage} adds what the job type declared.
   */
  readonly bucket: JobBucket;
  /**
   * The job type's own access to the bucket.
   * @default none beyond the claim check's
   */
  readonly storage?: StorageAccess;
  /**
   * Packages with native binaries this worker loads, installed into its asset for
   * Lambda's platform (linux arm64) instead of bundled.
   * @default none
   */
  readonly nativeModules?: readonly string[];
  /**
   * Packages other job types load lazily: every worker bundles the whole registry,
   * so each leaves them out of its bundle.
   * @default none
   */
  readonly lazyModules?: readonly string[];
}

/**
 * The Lambda that runs one job type: triggered by its queue with partial batch
 * responses always on, capped by the type's max concurrency, and granted only
 * what it uses (read and update job items, consume its queue, send to its DLQ,
 * read claim-checked payloads and write large results, and the bucket areas its
 * type declares).
 */
export class JobWorker extends Construct {
  public readonly function: QueueWorkersFunction;

  constructor(scope: Construct, id: string, props: JobWorkerProps) {
    super(scope, id);
    const { settings } = props;
    this.function = new QueueWorkersFunction(this, 'Function', {
      entry: path.join(here, '../lambda/worker/handler.ts'),
      description: `queue-workers worker for job type ${props.jobTypeName}`,
      timeout: Duration.seconds(settings.timeoutSeconds),
      memorySize: settings.memoryMb,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      bundling: {
        externalModules: [...(props.lazyModules ?? [])],
        ...(props.nativeModules?.length ? { nodeModules: [...props.nativeModules] } : {}),
      },
      environment: {
        [ENV.jobType]: props.jobTypeName,
        [ENV.queueUrl]: props.queue.queueUrl,
        [ENV.dlqUrl]: props.deadLetterQueue.queueUrl,
        [ENV.tableName]: props.table.table.tableName,
        [ENV.retentionDays]: String(props.retentionDays),
        // The queue's visibility timeout, from the same settings: a running job's lease ends when SQS would redeliver it.
        [ENV.leaseSeconds]: String(visibilityTimeoutSeconds(settings)),
        ...(props.allowPrivateNetworks ? { [ENV.allowPrivateNetworks]: 'true' } : {}),
      },
    });
    props.table.grantItems(this.function, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.deadLetterQueue.grantSendMessages(this.function);
    props.bucket.grantAccess(this.function, {
      read: ['payloads', ...(props.storage?.read ?? [])],
      write: ['results', ...(props.storage?.write ?? [])],
    });
    this.function.addEventSource(
      new SqsEventSource(props.queue, {
        batchSize: settings.batchSize,
        maxBatchingWindow:
          settings.maxBatchingWindowSeconds > 0 ? Duration.seconds(settings.maxBatchingWindowSeconds) : undefined,
        maxConcurrency: settings.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }
}
