import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { JobClient } from '@queue-workers/client';
import type { JobTypeQueues } from '../../ops/job-types.js';
import type { ScheduleRow } from '../../ops/schedules.js';
import type { ApiResponse } from '../api.js';
import type { Rates } from '../rates.js';
import type { EventFeed } from './event-feed.js';

/** Where `qw` sends its calls. */
export type TargetKind = 'local' | 'emulator' | 'aws';

/** Every {@link TargetKind}, for `--target`'s check and message. */
export const TARGET_KINDS = ['local', 'emulator', 'aws'] as const satisfies readonly TargetKind[];

/** A resolved target: clients for its queues and table, its job API, and what it knows of rates. */
export interface Target {
  readonly kind: TargetKind;
  /** `local runtime at http://127.0.0.1:3000 (stack QueueWorkers)`, for messages. */
  readonly description: string;
  readonly region: string;
  readonly stackName: string;
  readonly sqs: SQSClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  /** Days a finished job stays in the table, as the target was deployed (or started) with. */
  readonly retentionDays: number;
  readonly types: readonly JobTypeQueues[];
  /** Where `oldest` and `jobs/s` come from, said once under the table. */
  readonly ratesSource: string;
  /** Whether `dlq redrive` may fall back to a receive-send-delete loop (endpoints without StartMessageMoveTask). */
  readonly manualRedrive: boolean;
  /** The job API, through `@queue-workers/client`, with the target's auth (SigV4, an API key, or none). */
  readonly jobs: JobClient;
  /** Calls a route of the job API by its path, through {@link jobs}; the status and body, whatever the status. */
  api(method: 'GET' | 'POST', apiPath: string, body?: unknown): Promise<ApiResponse>;
  rates(): Promise<ReadonlyMap<string, Rates>>;
  /** The stack's EventBridge Scheduler schedules, with their next firing. */
  schedules(): Promise<readonly ScheduleRow[]>;
  /** The job events: kept by the local runtime, tapped on a deployed stack's bus; absent when it has no bus. */
  readonly events?: EventFeed;
  /** The job type `name`, with its queue and DLQ ARNs and maxAttempts filled in. */
  jobType(name: string): Promise<Required<JobTypeQueues>>;
  close(): void;
}

/** The flags that choose a target, as `qw` parsed them. */
export interface TargetFlags {
  readonly target?: TargetKind;
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  /** @default QueueWorkers */
  readonly stack?: string;
  readonly stateFile?: string;
  readonly apiKey?: string;
}

/** The flags that choose a target, and where `qw` runs. */
export interface TargetOptions extends TargetFlags {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Finds and opens a target; `main` takes another for tests. */
export type ResolveTarget = (options: TargetOptions) => Promise<Target>;

/** The stack `qw` looks for on an emulator or AWS when `--stack` is not given. */
export const DEFAULT_STACK = 'QueueWorkers';
