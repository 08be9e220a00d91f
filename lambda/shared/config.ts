import { ConfigError } from './errors.js';

/** Environment variable that holds the queue URL of job type `type`. */
export function queueUrlEnvName(type: string): string {
  return `QUEUE_URL_${type.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Environment variable that holds the DLQ URL (`kind` url) or ARN (`kind` arn) of job type `type`. */
export function dlqEnvName(kind: 'url' | 'arn', type: string): string {
  return `DLQ_${kind.toUpperCase()}_${type.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Days a finished job stays readable before DynamoDB's TTL removes it, unless the stack says otherwise. */
export const DEFAULT_RETENTION_DAYS = 30;

/** Environment variable names that both the stack and the functions agree on. */
export const ENV = Object.freeze({
  tableName: 'JOB_TABLE_NAME',
  retentionDays: 'JOB_RETENTION_DAYS',
  redriveEnabled: 'REDRIVE_ENABLED',
  jobType: 'JOB_TYPE',
  queueUrl: 'QUEUE_URL',
  dlqUrl: 'DLQ_URL',
  /** Optional: milliseconds before the worker's Lambda timeout at which jobs are aborted. */
  deadlineMarginMs: 'WORKER_DEADLINE_MARGIN_MS',
  /** Seconds a running job's lease lasts: its queue's visibility timeout, as the stack derived it. */
  leaseSeconds: 'WORKER_LEASE_SECONDS',
  /** Optional: seconds after a last lease ends before the reconciler fails the job. */
  reconcilerGraceSeconds: 'RECONCILER_GRACE_SECONDS',
  /** Optional: seconds after an earlier lease ends before the reconciler reports the job stalled. */
  reconcilerStalledAfterSeconds: 'RECONCILER_STALLED_AFTER_SECONDS',
  /** The stack's job event bus, where the worker and the reconciler announce finished jobs. */
  eventBusName: 'JOB_EVENT_BUS_NAME',
  /** Optional: the largest job event in bytes; a larger result is left out of its event. */
  maxEventBytes: 'JOB_EVENT_MAX_BYTES',
  /** Optional: the webhook.deliver queue, where the worker and the reconciler queue completion callbacks. */
  callbackQueueUrl: 'CALLBACK_QUEUE_URL',
  /** Optional: the Secrets Manager secret webhook.deliver signs with (Standard Webhooks). */
  webhookSigningSecretArn: 'WEBHOOK_SIGNING_SECRET_ARN',
  /**
   * Optional, `true` or `false` (the default): the stack runs where private and loopback addresses are the
   * user's own (`npm start`, an emulator), so webhooks may call them and callbacks may use http to loopback.
   */
  allowPrivateNetworks: 'ALLOW_PRIVATE_NETWORKS',
  /** The stack's bucket: uploads, claim-checked payloads and results, thumbnails. */
  bucketName: 'JOB_BUCKET_NAME',
  /** Optional: the largest upload `POST /uploads` presigns, in bytes. */
  uploadMaxBytes: 'UPLOAD_MAX_BYTES',
  /** Optional: seconds a presigned upload stays valid. */
  uploadUrlSeconds: 'UPLOAD_URL_SECONDS',
  /** Optional: seconds a presigned download URL (thumbnails, large results) stays valid. */
  downloadUrlSeconds: 'DOWNLOAD_URL_SECONDS',
  /**
   * Test only, never set by default: the share (0 to 1) of submissions whose API execution environment ends
   * between their steps, and, while set, a request's `X-QW-Test-Crash` header names the step to end after.
   */
  testOnlyCrashBetweenSteps: 'QW_TEST_ONLY_CRASH_BETWEEN_STEPS',
});

/** The largest upload the API presigns unless the stack says otherwise: 25 MiB. */
export const DEFAULT_UPLOAD_MAX_BYTES = 25 * 1024 * 1024;
/** How long a presigned upload stays valid unless the stack says otherwise: 15 minutes. */
export const DEFAULT_UPLOAD_URL_SECONDS = 900;
/** How long a presigned download URL stays valid unless the stack says otherwise: an hour. */
export const DEFAULT_DOWNLOAD_URL_SECONDS = 3600;

type Env = Readonly<Record<string, string | undefined>>;

function reader(env: Env) {
  const missing: string[] = [];
  const invalid: string[] = [];
  return {
    required(name: string): string {
      const value = env[name];
      if (value === undefined || value.trim() === '') {
        missing.push(name);
        return '';
      }
      return value;
    },
    positiveInt(name: string, fallback: number): number {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value <= 0) invalid.push(`${name}="${raw}" (want a positive integer)`);
      return value;
    },
    boolean(name: string): boolean {
      const raw = env[name];
      if (raw === undefined || raw === '' || raw === 'false') return false;
      if (raw !== 'true') invalid.push(`${name}="${raw}" (want true or false)`);
      return raw === 'true';
    },
    share(name: string): number | undefined {
      const raw = env[name];
      if (raw === undefined || raw === '') return undefined;
      const value = Number(raw);
      if (!(value >= 0 && value <= 1)) invalid.push(`${name}="${raw}" (want a share from 0 to 1)`);
      return value;
    },
    check(what: string): void {
      const parts: string[] = [];
      if (missing.length) parts.push(`missing ${missing.join(', ')}`);
      if (invalid.length) parts.push(`invalid ${invalid.join(', ')}`);
      if (parts.length) throw new ConfigError(`${what} configuration: ${parts.join('; ')}.`);
    },
  };
}

/** The API function's configuration. */
export interface ApiConfig {
  readonly tableName: string;
  /** Queue URL by job type name. */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** Days a finished job stays readable before DynamoDB's TTL removes it. */
  readonly retentionDays: number;
  /** Each type's DLQ, when the API offers redrive (IAM auth only). */
  readonly deadLetterQueues?: Readonly<Record<string, { readonly url: string; readonly arn: string }>>;
  /**
   * The stack runs where loopback is the user's own machine (`npm start`, an emulator): a `callbackUrl` may use
   * http to a loopback host, and may name a private address.
   * @default false
   */
  readonly allowPrivateNetworks?: boolean;
  /** The stack's bucket and what the API does with it; the stack always sets it, some tests leave it out. */
  readonly storage?: ApiStorageConfig;
  /**
   * Test only: ends the execution environment between a submission's steps, for this share of submissions
   * and for requests that ask with `X-QW-Test-Crash` (see `lambda/api/step-fault.ts`).
   * @default undefined - never
   */
  readonly testOnlyCrashBetweenSteps?: number;
}

/** The API's settings for the stack's bucket. */
export interface ApiStorageConfig {
  readonly bucket: string;
  /** Largest upload `POST /uploads` presigns, in bytes. */
  readonly uploadMaxBytes: number;
  /** Seconds a presigned upload stays valid. */
  readonly uploadUrlSeconds: number;
  /** Seconds a presigned download URL (thumbnails, large results) stays valid. */
  readonly downloadUrlSeconds: number;
}

/** Parses the API function's environment once, naming everything that is missing. */
export function loadApiConfig(env: Env, typeNames: readonly string[]): ApiConfig {
  const r = reader(env);
  const tableName = r.required(ENV.tableName);
  const queueUrls: Record<string, string> = {};
  for (const type of typeNames) queueUrls[type] = r.required(queueUrlEnvName(type));
  const retentionDays = r.positiveInt(ENV.retentionDays, DEFAULT_RETENTION_DAYS);
  const storage: ApiStorageConfig = {
    bucket: r.required(ENV.bucketName),
    uploadMaxBytes: r.positiveInt(ENV.uploadMaxBytes, DEFAULT_UPLOAD_MAX_BYTES),
    uploadUrlSeconds: r.positiveInt(ENV.uploadUrlSeconds, DEFAULT_UPLOAD_URL_SECONDS),
    downloadUrlSeconds: r.positiveInt(ENV.downloadUrlSeconds, DEFAULT_DOWNLOAD_URL_SECONDS),
  };
  let deadLetterQueues: Record<string, { url: string; arn: string }> | undefined;
  if (env[ENV.redriveEnabled] === 'true') {
    deadLetterQueues = {};
    for (const type of typeNames) {
      deadLetterQueues[type] = { url: r.required(dlqEnvName('url', type)), arn: r.required(dlqEnvName('arn', type)) };
    }
  }
  const allowPrivateNetworks = r.boolean(ENV.allowPrivateNetworks);
  const testOnlyCrashBetweenSteps = r.share(ENV.testOnlyCrashBetweenSteps);
  r.check('API');
  return Object.freeze({
    tableName,
    queueUrls: Object.freeze(queueUrls),
    retentionDays,
    allowPrivateNetworks,
    ...(testOnlyCrashBetweenSteps !== undefined ? { testOnlyCrashBetweenSteps } : {}),
    ...(deadLetterQueues ? { deadLetterQueues: Object.freeze(deadLetterQueues) } : {}),
    storage: Object.freeze(storage),
  });
}

/** A worker function's configuration. */
export interface WorkerConfig {
  readonly tableName: string;
  readonly jobType: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly retentionDays: number;
  /**
   * Milliseconds before the Lambda timeout at which running jobs are aborted;
   * no record starts with less than twice this left.
   * @default 10% of the invocation's time, between 200 and 3,000 ms
   */
  readonly deadlineMarginMs?: number;
  /**
   * Seconds a running job's lease lasts: the queue's visibility timeout, after
   * which SQS delivers the message again.
   * @default derived from the job type's settings, as the stack derives the visibility timeout
   */
  readonly leaseSeconds?: number;
  /**
   * The stack's bucket: claim-checked payloads and results, and what job types
   * that declare storage access read and write.
   * @default none - the stack always sets it; tests and benchmarks may leave it out
   */
  readonly bucketName?: string;
}

/** Parses a worker's environment once, naming everything that is missing. */
export function loadWorkerConfig(env: Env): WorkerConfig {
  const r = reader(env);
  const config = {
    tableName: r.required(ENV.tableName),
    jobType: r.required(ENV.jobType),
    queueUrl: r.required(ENV.queueUrl),
    dlqUrl: r.required(ENV.dlqUrl),
    retentionDays: r.positiveInt(ENV.retentionDays, DEFAULT_RETENTION_DAYS),
    deadlineMarginMs: env[ENV.deadlineMarginMs] ? r.positiveInt(ENV.deadlineMarginMs, 0) : undefined,
    leaseSeconds: env[ENV.leaseSeconds] ? r.positiveInt(ENV.leaseSeconds, 0) : undefined,
    bucketName: r.required(ENV.bucketName),
  };
  r.check('Worker');
  return Object.freeze(config);
}

/** The reconciler's configuration. */
export interface ReconcilerConfig {
  readonly tableName: string;
  readonly retentionDays: number;
  /** Seconds after a last lease ends before the job is failed. @default 60 */
  readonly graceSeconds: number;
  /** Seconds after an earlier lease ends before the job is reported stalled. @default 300 */
  readonly stalledAfterSeconds: number;
}

/** Parses the reconciler's environment once, naming everything that is missing. */
export function loadReconcilerConfig(env: Env): ReconcilerConfig {
  const r = reader(env);
  const config = {
    tableName: r.required(ENV.tableName),
    retentionDays: r.positiveInt(ENV.retentionDays, DEFAULT_RETENTION_DAYS),
    graceSeconds: r.positiveInt(ENV.reconcilerGraceSeconds, 60),
    stalledAfterSeconds: r.positiveInt(ENV.reconcilerStalledAfterSeconds, 300),
  };
  r.check('Reconciler');
  return Object.freeze(config);
}

/** Where finished jobs are announced: the worker's and the reconciler's job events. */
export interface JobEventsConfig {
  readonly busName: string;
  /**
   * The largest event sent, in bytes as EventBridge counts them; a result that
   * would take an event over it is left out, and the event says so.
   * @default 65,536 (one billing chunk), at most 1 MiB (EventBridge's limit)
   */
  readonly maxEventBytes?: number;
}

/** Parses the job events' settings once, naming everything that is missing. */
export function loadJobEventsConfig(env: Env): JobEventsConfig {
  const r = reader(env);
  const busName = r.required(ENV.eventBusName);
  const maxEventBytes = env[ENV.maxEventBytes] ? r.positiveInt(ENV.maxEventBytes, 0) : undefined;
  r.check('Job events');
  return Object.freeze({ busName, ...(maxEventBytes !== undefined ? { maxEventBytes } : {}) });
}

/** Where the worker and the reconciler queue completion callbacks. */
export interface CallbackConfig {
  /** The webhook.deliver queue. */
  readonly queueUrl: string;
}

/** The completion callbacks' settings, or undefined when the stack has no webhook.deliver queue to send them with. */
export function loadCallbackConfig(env: Env): CallbackConfig | undefined {
  const queueUrl = env[ENV.callbackQueueUrl];
  return queueUrl ? Object.freeze({ queueUrl }) : undefined;
}

/** What webhook.deliver reads of its environment. */
export interface WebhookConfig {
  /** The secret signed requests use; without it, a job that asks to be signed fails. */
  readonly signingSecretArn?: string;
  /** Calls to private, loopback and link-local addresses are allowed. */
  readonly allowPrivateNetworks: boolean;
}

/** Parses webhook.deliver's settings once, naming what is invalid. */
export function loadWebhookConfig(env: Env): WebhookConfig {
  const r = reader(env);
  const allowPrivateNetworks = r.boolean(ENV.allowPrivateNetworks);
  const signingSecretArn = env[ENV.webhookSigningSecretArn] || undefined;
  r.check('webhook.deliver');
  return Object.freeze({ allowPrivateNetworks, ...(signingSecretArn ? { signingSecretArn } : {}) });
}
