import { Annotations, CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { JobType } from '../lambda/jobs/define.js';
import { jobTypes as registeredJobTypes } from '../lambda/jobs/registry.js';
import { WEBHOOK_DELIVER } from '../lambda/jobs/webhook-deliver.js';
import { DEFAULT_RETENTION_DAYS } from '../lambda/shared/config.js';
import { BUCKET_AREAS } from '../lambda/shared/storage.js';
import { AlarmTopic } from './alarm-topic.js';
import { CompletionCallbacks } from './completion-callbacks.js';
import { type ApiAuth, JobApi, type JobApiProps } from './job-api.js';
import { JobBucket } from './job-bucket.js';

export type { ApiAuth } from './job-api.js';
export type { StorageSettings } from './stack-settings.js';

import { JobAlarms, type JobAlarmsProps } from './job-alarms.js';
import { JobDashboard } from './job-dashboard.js';
import { JobEvents, type JobEventsProps } from './job-events.js';
import { JobReconciler, type JobReconcilerProps } from './job-reconciler.js';
import { JobSchedules } from './job-schedules.js';
import { JobTable } from './job-table.js';
import { JobWorker } from './job-worker.js';
import { type StorageSettings, validateJobTypes, validateStorage } from './stack-settings.js';
import { WorkQueue } from './work-queue.js';

/** Props of {@link QueueWorkersStack}. */
export interface QueueWorkersStackProps extends StackProps {
  /**
   * The job types to provision.
   * @default the registry in lambda/jobs/registry.ts
   */
  readonly jobTypes?: readonly JobType[];
  /**
   * How API callers authenticate; see {@link JobApiProps.auth}.
   * @default 'iam'
   */
  readonly auth?: ApiAuth;
  /**
   * Days a finished job stays readable before DynamoDB's TTL removes it.
   * @default 30
   */
  readonly retentionDays?: number;
  /**
   * Email addresses that receive alarms.
   * @default none
   */
  readonly alarmEmails?: readonly string[];
  /**
   * How long function and API logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * The reconciler's patience; see {@link JobReconcilerProps}.
   * @default a minute of grace, five minutes before a job counts as stalled
   */
  readonly reconciler?: Pick<JobReconcilerProps, 'graceSeconds' | 'stalledAfterSeconds'>;
  /**
   * The job events' bus and size limit; see {@link JobEventsProps}.
   * @default a bus of the stack's own, events of at most 64 KB
   */
  readonly jobEvents?: Pick<JobEventsProps, 'busProps' | 'maxEventBytes'>;
  /**
   * The stack runs where private and loopback addresses are the user's own (an
   * emulator such as ministack): webhook.deliver may call private, loopback and
   * link-local addresses, and a `callbackUrl` may use http to a loopback host.
   * On AWS that would let API callers reach the stack's network (SSRF); synth warns.
   * @default false
   */
  readonly allowPrivateNetworks?: boolean;
  /**
   * TEST ONLY: see {@link JobApiProps.testOnlyCrashBetweenSteps}. Synth warns when it is set.
   * @default undefined - off
   */
  readonly testOnlyCrashBetweenSteps?: number;
  /**
   * The bucket's settings: which browser origins may upload, how long uploads and
   * thumbnails are kept, access logs; and the largest upload and the lifetime of
   * presigned URLs, which the API applies.
   * @default no browser origin, uploads kept a day, thumbnails kept, no access logs, 25 MiB, 15 minutes, 1 hour
   */
  readonly storage?: StorageSettings;
}

/** Output id for a job type's queue or DLQ URL: `QueueUrlWebhookDeliver`. */
export function outputId(prefix: string, jobTypeName: string): string {
  return prefix + jobTypeName.replace(/(^|[^a-zA-Z0-9])([a-z0-9])/g, (_m, _sep, c: string) => c.toUpperCase());
}

/**
 * The whole system: per job type a queue with its DLQ, a worker and alarms;
 * one job table, one HTTP API and one alarm topic. It composes constructs and
 * builds no resource itself.
 */
export class QueueWorkersStack extends Stack {
  public readonly api: JobApi;
  public readonly table: JobTable;
  public readonly bucket: JobBucket;
  private readonly hasAccessLogs: boolean;
  public readonly queues: Readonly<Record<string, WorkQueue>>;
  public readonly workers: Readonly<Record<string, JobWorker>>;
  public readonly events: JobEvents;
  /** The signing secret and grants of completion callbacks; absent without a webhook.deliver job type. */
  public readonly callbacks: CompletionCallbacks | undefined;

  constructor(scope: Construct, id: string, props: QueueWorkersStackProps = {}) {
    super(scope, id, props);
    const jobTypes = props.jobTypes ?? registeredJobTypes;
    validateJobTypes(jobTypes);
    const retentionDays = props.retentionDays ?? DEFAULT_RETENTION_DAYS;
    const logRetention = props.logRetention;
    const allowPrivateNetworks = props.allowPrivateNetworks ?? false;
    if (allowPrivateNetworks) this.warnOfPrivateNetworks();
    if (props.testOnlyCrashBetweenSteps !== undefined) {
      Annotations.of(this).addWarningV2(
        'queue-workers:test-only-crash-between-steps',
        'testOnlyCrashBetweenSteps is set: the API function ends its own execution environment for some submissions, and for any request with an X-QW-Test-Crash header. It is for end-to-end tests; never deploy it where real clients call the API.',
      );
    }

    this.table = new JobTable(this, 'Jobs');
    const topic = new AlarmTopic(this, 'Alarms', { ...(props.alarmEmails ? { emails: props.alarmEmails } : {}) });
    const { uploadMaxBytes, uploadUrlExpiry, downloadUrlExpiry, ...bucketSettings } = props.storage ?? {};
    validateStorage(props.storage ?? {});
    this.bucket = new JobBucket(this, 'Files', { retentionDays, ...bucketSettings });
    this.hasAccessLogs = bucketSettings.serverAccessLogsBucket !== undefined;
    // Every function that bundles the registry leaves out what job types load lazily (sharp).
    const lazyModules = [...new Set(jobTypes.flatMap((t) => t.nativeModules))];

    const queues: Record<string, WorkQueue> = {};
    const workers: Record<string, JobWorker> = {};
    for (const type of jobTypes) {
      const { queue, worker } = this.jobTypeResources(type, {
        retentionDays,
        logRetention,
        allowPrivateNetworks,
        lazyModules,
        alarmAction: topic.action,
      });
      queues[type.name] = queue;
      workers[type.name] = worker;
    }
    this.queues = queues;
    this.workers = workers;
    this.callbacks = this.completionCallbacks();

    const queueByType: Record<string, IQueue> = Object.fromEntries(
      Object.entries(queues).map(([name, q]) => [name, q.queue]),
    );
    this.api = new JobApi(this, 'Api', {
      queues: queueByType,
      deadLetterQueues: Object.fromEntries(Object.entries(queues).map(([name, q]) => [name, q.deadLetterQueue])),
      table: this.table,
      retentionDays,
      ...(props.auth ? { auth: props.auth } : {}),
      ...(logRetention ? { logRetention } : {}),
      ...(allowPrivateNetworks ? { allowPrivateNetworks } : {}),
      ...(props.testOnlyCrashBetweenSteps !== undefined
        ? { testOnlyCrashBetweenSteps: props.testOnlyCrashBetweenSteps }
        : {}),
      bucket: this.bucket,
      lazyModules,
      ...(uploadMaxBytes !== undefined ? { uploadMaxBytes } : {}),
      ...(uploadUrlExpiry ? { uploadUrlExpiry } : {}),
      ...(downloadUrlExpiry ? { downloadUrlExpiry } : {}),
    });

    this.schedules(jobTypes);

    const reconciler = new JobReconciler(this, 'Reconciler', {
      table: this.table,
      retentionDays,
      action: topic.action,
      ...props.reconciler,
      ...(logRetention ? { logRetention } : {}),
    });
    this.callbacks?.grantQueueing(reconciler.function);

    // The finishers of jobs announce them: each worker, and the reconciler for the jobs it fails.
    this.events = new JobEvents(this, 'JobEvents', props.jobEvents ?? {});
    for (const worker of Object.values(workers)) this.events.grantPublish(worker.function);
    this.events.grantPublish(reconciler.function);

    const dashboard = new JobDashboard(this, 'Dashboard', {
      api: this.api.api,
      jobTypes: jobTypes.map((t) => ({
        name: t.name,
        queue: queueByType[t.name] as IQueue,
        deadLetterQueue: (queues[t.name] as WorkQueue).deadLetterQueue,
        worker: (workers[t.name] as JobWorker).function,
      })),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url });
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboard.dashboardName });
    new CfnOutput(this, 'JobTableName', { value: this.table.table.tableName });
    // qw builds its job store with the retention the stack was deployed with, not a default.
    new CfnOutput(this, 'JobRetentionDays', { value: String(retentionDays) });
    new CfnOutput(this, 'AlarmTopicArn', { value: topic.topic.topicArn });
    if (this.callbacks) {
      new CfnOutput(this, 'WebhookSigningSecretArn', { value: this.callbacks.signingSecret.secretArn });
    }
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucket.bucketName });
    this.suppressAcceptedFindings();
  }

  /** A job type's queue with its DLQ, its worker and its alarms, and the queue URLs as outputs. */
  private jobTypeResources(
    type: JobType,
    shared: {
      readonly retentionDays: number;
      readonly logRetention: RetentionDays | undefined;
      readonly allowPrivateNetworks: boolean;
      readonly lazyModules: readonly string[];
      readonly alarmAction: JobAlarmsProps['action'];
    },
  ): { queue: WorkQueue; worker: JobWorker } {
    const id = outputId('', type.name);
    const queue = new WorkQueue(this, `${id}Queue`, {
      jobTypeName: type.name,
      settings: type.queue,
      contentBasedDeduplication: (type.schedules?.length ?? 0) > 0,
    });
    const worker = new JobWorker(this, `${id}Worker`, {
      jobTypeName: type.name,
      settings: type.queue,
      queue: queue.queue,
      deadLetterQueue: queue.deadLetterQueue,
      table: this.table,
      retentionDays: shared.retentionDays,
      ...(shared.logRetention ? { logRetention: shared.logRetention } : {}),
      ...(shared.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}),
      bucket: this.bucket,
      storage: type.storage,
      nativeModules: type.nativeModules,
      lazyModules: shared.lazyModules,
    });
    new JobAlarms(this, `${id}Alarms`, {
      jobTypeName: type.name,
      queue: queue.queue,
      deadLetterQueue: queue.deadLetterQueue,
      worker: worker.function,
      maxAgeSeconds: type.queue.maxAgeAlarmSeconds,
      action: shared.alarmAction,
    });
    new CfnOutput(this, outputId('QueueUrl', type.name), { value: queue.queue.queueUrl });
    new CfnOutput(this, outputId('DlqUrl', type.name), { value: queue.deadLetterQueue.queueUrl });
    return { queue, worker };
  }

  private warnOfPrivateNetworks(): void {
    Annotations.of(this).addWarningV2(
      'queue-workers:allow-private-networks',
      'allowPrivateNetworks is on: webhooks and completion callbacks may call private, loopback and link-local addresses, the instance metadata service included. Use it only on an emulator or a private deployment whose callers you trust.',
    );
  }

  /** The job types' schedules, each straight to its type's queue, in a group of the stack's own. */
  private schedules(jobTypes: readonly JobType[]): void {
    if (!jobTypes.some((t) => t.schedules?.length)) return;
    const schedules = new JobSchedules(this, 'Schedules', {
      jobTypes: jobTypes.map((t) => {
        const queue = this.queues[t.name] as WorkQueue;
        return {
          name: t.name,
          schedules: t.schedules ?? [],
          queue: queue.queue,
          deadLetterQueue: queue.deadLetterQueue,
        };
      }),
    });
    // qw schedules lists this group, on AWS and on an emulator.
    new CfnOutput(this, 'ScheduleGroupName', { value: schedules.group.scheduleGroupName });
  }

  /**
   * Completion callbacks, when the stack runs webhook.deliver to deliver them:
   * every worker may queue one, and webhook.deliver signs them.
   */
  private completionCallbacks(): CompletionCallbacks | undefined {
    const deliveryQueue = this.queues[WEBHOOK_DELIVER];
    const deliveryWorker = this.workers[WEBHOOK_DELIVER];
    if (!deliveryQueue || !deliveryWorker) return undefined;
    const callbacks = new CompletionCallbacks(this, 'Callbacks', {
      deliveryQueue: deliveryQueue.queue,
      table: this.table,
    });
    for (const worker of Object.values(this.workers)) callbacks.grantQueueing(worker.function);
    callbacks.grantSigning(deliveryWorker.function);
    return callbacks;
  }

  /** cdk-nag findings we accept, each with the reason next to it. */
  private suppressAcceptedFindings(): void {
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The AWS-maintained minimal policy for a function to write its own logs.',
      },
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: "The AWS-maintained policy API Gateway's account role needs to write execution logs.",
      },
    );
    Validations.of(this.api.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          "The function validates every body against the job type's zod schema and answers 400 naming the fields; an API Gateway model would duplicate the schema and give poorer errors.",
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'WAF is an account-level choice with its own cost; the stage is throttled, and a web ACL can be associated without changing this stack.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Callers are services, authenticated with IAM (SigV4) by default or API keys; Cognito user pools are for end users.',
      },
      ...(this.api.auth === 'none'
        ? [{ id: 'AwsSolutions-APIG4', reason: 'auth "none" was chosen explicitly; synth warns about it.' }]
        : []),
    );
    if (this.callbacks) {
      Validations.of(this.callbacks.signingSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Every receiver of signed webhooks holds this secret; rotating it is a change to coordinate with them, not a schedule. Workers read it at cold start.',
      });
    }
    for (const queue of Object.values(this.queues)) {
      Validations.of(queue.deadLetterQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue.',
      });
    }
    this.acknowledgeBucketFindings();
  }

  /** The bucket's accepted findings: object grants per key prefix, and access logs unless asked for. */
  private acknowledgeBucketFindings(): void {
    const bucketId = this.getLogicalId(this.bucket.bucket.node.defaultChild as CfnBucket);
    Validations.of(this).acknowledge(
      ...Object.values(BUCKET_AREAS).map((prefix) => ({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
        reason: `Object access under ${prefix} only, with one action (s3:GetObject or s3:PutObject): its keys are ids made at run time (upload and job ids), so the resource names the prefix.`,
      })),
    );
    if (!this.hasAccessLogs) {
      Validations.of(this.bucket.bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          "Off unless storage.serverAccessLogsBucket is given: objects are written only through presigned POSTs the API grants per upload and by the stack's own functions, each job that reads or writes one is recorded in the job table, and CloudTrail S3 data events are the account-level audit trail for object access.",
      });
    }
  }
}
