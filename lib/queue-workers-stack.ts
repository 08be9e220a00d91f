import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type JobType, settingsProblems } from '../lambda/jobs/define.js';
import { MAX_INPUT_BYTES } from '../lambda/jobs/image-thumbnail.js';
import { jobTypes as registeredJobTypes } from '../lambda/jobs/registry.js';
import { DEFAULT_RETENTION_DAYS, queueUrlEnvName } from '../lambda/shared/config.js';
import { BUCKET_AREAS } from '../lambda/shared/storage.js';
import { AlarmTopic } from './alarm-topic.js';
import { type ApiAuth, JobApi, type JobApiProps } from './job-api.js';
import { JobBucket, type JobBucketProps } from './job-bucket.js';

export type { ApiAuth } from './job-api.js';

import { JobAlarms } from './job-alarms.js';
import { JobDashboard } from './job-dashboard.js';
import { JobReconciler, type JobReconcilerProps } from './job-reconciler.js';
import { JobTable } from './job-table.js';
import { JobWorker } from './job-worker.js';
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
   * The bucket's settings: which browser origins may upload, how long uploads and
   * thumbnails are kept, access logs; and the largest upload and the lifetime of
   * presigned URLs, which the API applies.
   * @default no browser origin, uploads kept a day, thumbnails kept, no access logs, 25 MiB, 15 minutes, 1 hour
   */
  readonly storage?: StorageSettings;
}

/** The bucket's settings, and the API's for it; see {@link JobBucketProps} and {@link JobApiProps}. */
export type StorageSettings = Pick<
  JobBucketProps,
  'uploadOrigins' | 'uploadExpirationDays' | 'thumbnailExpirationDays' | 'serverAccessLogsBucket' | 'removalPolicy'
> &
  Pick<JobApiProps, 'uploadMaxBytes' | 'uploadUrlExpiry' | 'downloadUrlExpiry'>;

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

  constructor(scope: Construct, id: string, props: QueueWorkersStackProps = {}) {
    super(scope, id, props);
    const jobTypes = props.jobTypes ?? registeredJobTypes;
    validateJobTypes(jobTypes);
    const retentionDays = props.retentionDays ?? DEFAULT_RETENTION_DAYS;
    const logRetention = props.logRetention;

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
      const id = outputId('', type.name);
      const queue = new WorkQueue(this, `${id}Queue`, { jobTypeName: type.name, settings: type.queue });
      const worker = new JobWorker(this, `${id}Worker`, {
        jobTypeName: type.name,
        settings: type.queue,
        queue: queue.queue,
        deadLetterQueue: queue.deadLetterQueue,
        table: this.table,
        retentionDays,
        ...(logRetention ? { logRetention } : {}),
        bucket: this.bucket,
        storage: type.storage,
        nativeModules: type.nativeModules,
        lazyModules,
      });
      new JobAlarms(this, `${id}Alarms`, {
        jobTypeName: type.name,
        queue: queue.queue,
        deadLetterQueue: queue.deadLetterQueue,
        worker: worker.function,
        maxAgeSeconds: type.queue.maxAgeAlarmSeconds,
        action: topic.action,
      });
      queues[type.name] = queue;
      workers[type.name] = worker;
      new CfnOutput(this, outputId('QueueUrl', type.name), { value: queue.queue.queueUrl });
      new CfnOutput(this, outputId('DlqUrl', type.name), { value: queue.deadLetterQueue.queueUrl });
    }
    this.queues = queues;
    this.workers = workers;

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
      bucket: this.bucket,
      lazyModules,
      ...(uploadMaxBytes !== undefined ? { uploadMaxBytes } : {}),
      ...(uploadUrlExpiry ? { uploadUrlExpiry } : {}),
      ...(downloadUrlExpiry ? { downloadUrlExpiry } : {}),
    });

    new JobReconciler(this, 'Reconciler', {
      table: this.table,
      retentionDays,
      action: topic.action,
      ...props.reconciler,
      ...(logRetention ? { logRetention } : {}),
    });

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
    new CfnOutput(this, 'BucketName', { value: this.bucket.bucket.bucketName });
    this.suppressAcceptedFindings();
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

/** Fails synthesis with every impossible storage setting, each saying how to fix it. */
export function validateStorage(settings: StorageSettings): void {
  const problems: string[] = [];
  const max = settings.uploadMaxBytes;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= MAX_INPUT_BYTES)) {
    problems.push(
      `uploadMaxBytes is ${max}; it must be an integer from 1 to ${MAX_INPUT_BYTES}, the most the image worker reads.`,
    );
  }
  for (const [name, days] of Object.entries({
    uploadExpirationDays: settings.uploadExpirationDays,
    thumbnailExpirationDays: settings.thumbnailExpirationDays,
  })) {
    if (days !== undefined && !(Number.isInteger(days) && days >= 1)) {
      problems.push(`${name} is ${days}; S3 lifecycle rules count whole days, at least 1.`);
    }
  }
  const urlSeconds = settings.uploadUrlExpiry?.toSeconds();
  if (urlSeconds !== undefined && (urlSeconds < 1 || urlSeconds > 604_800)) {
    problems.push(`uploadUrlExpiry is ${urlSeconds} s; a presigned POST lasts from 1 s to 7 days.`);
  }
  const downloadSeconds = settings.downloadUrlExpiry?.toSeconds();
  if (downloadSeconds !== undefined && (downloadSeconds < 1 || downloadSeconds > 604_800)) {
    problems.push(
      `downloadUrlExpiry is ${downloadSeconds} s; a presigned URL lasts from 1 s to 7 days (SigV4's limit).`,
    );
  }
  if (problems.length) throw new Error(`Invalid storage settings:\n- ${problems.join('\n- ')}`);
}

/** Fails synthesis with every problem in the job types, each saying how to fix it. */
export function validateJobTypes(jobTypes: readonly JobType[]): void {
  const problems = jobTypes.flatMap((t) => settingsProblems(t.name, t.queue));
  const seen = new Map<string, string>();
  for (const t of jobTypes) {
    const env = queueUrlEnvName(t.name);
    const clash = seen.get(env);
    if (clash) problems.push(`Job types "${clash}" and "${t.name}" map to the same name ${env}; rename one of them.`);
    seen.set(env, t.name);
  }
  if (jobTypes.length === 0) problems.push('No job types are registered; add one to lambda/jobs/registry.ts.');
  if (problems.length) throw new Error(`Invalid job types:\n- ${problems.join('\n- ')}`);
}
