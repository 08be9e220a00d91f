/**
 * How an app plugs its own tooling into the runtime. The runtime runs any
 * synthesized template and knows nothing of the app; an extension (such as
 * queue-workers' operator console, `local/console/`) sees the runtime through
 * {@link RuntimeView} and hooks into it through {@link RuntimeExtension}.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { RoutedEvent } from '../events/event-router.js';
import type { EventSourceDef, LocalPlan, QueueDef } from '../plan.js';
import type { ScheduleState } from '../schedules/schedule-runner.js';
import type { BatchOutcome } from '../sqs/sqs-poller.js';
import type { Output } from '../terminal.js';

/** What the runtime shows an extension: where everything is, and the plan it runs. */
export interface RuntimeView {
  /** Base URL of the runtime's HTTP server: `http://127.0.0.1:3000`. */
  readonly url: string;
  /** The runtime's state directory (absolute): persisted emulator data; an extension may keep files there. */
  readonly stateDir: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local S3 endpoint functions get: fauxqs's S3 behind the runtime's checks of presigned requests. */
  readonly s3Endpoint: string;
  /** Clients of the emulators, shared with the runtime, which destroys them on stop. */
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  /** A client of fauxqs's S3 itself (no checks in between). */
  readonly s3: S3Client;
  /** The plan being run; a reload replaces it. */
  plan(): LocalPlan;
  /** The local URL of a queue, by name. */
  queueUrl(queueName: string): string;
  /** The EventBridge Scheduler schedules being run, with their next and last firing. */
  schedules(): readonly ScheduleState[];
  /** Where the runtime writes; an extension's own notices go here too. */
  readonly output: Output;
  /** The local EventBridge's PutEvents endpoint. */
  readonly eventsEndpoint: string;
  /**
   * Events put on the local buses, oldest first, with each rule target they
   * were delivered to: those after sequence number `after` (0 for every one
   * kept), at most the `limit` newest. The runtime keeps the last 500.
   */
  recentEvents(after?: number, limit?: number): readonly RoutedEvent[];
}

/** One batch an event source processed: received, invoked, and what succeeded deleted. */
export interface ProcessedBatch {
  readonly queue: QueueDef;
  readonly eventSource: EventSourceDef;
  readonly outcome: BatchOutcome;
}

/** A row of the start-up banner: `  Label      text`; the text may span lines. */
export interface BannerRow {
  /** At most 10 characters, so the texts line up. */
  readonly label: string;
  readonly text: string;
}

/** Rows an extension adds to the start-up banner. */
export interface BannerContribution {
  /** After the API and its routes: what else is served, and where. */
  readonly services?: readonly BannerRow[];
  /** After the notes: what to try first. */
  readonly hints?: readonly BannerRow[];
}

/** An app's tooling, plugged into the runtime. Every hook is optional. */
export interface RuntimeExtension {
  /**
   * Offered every HTTP request before the REST API, once the runtime serves:
   * answers the ones the extension serves and returns true; false leaves the
   * request to the API.
   */
  handleRequest?(req: IncomingMessage, res: ServerResponse): boolean;
  /** After each batch an event source processed; on the pollers' path, so it must be cheap. */
  batchProcessed?(batch: ProcessedBatch): void;
  /** After a plan was applied: once at start, then after each reload. */
  planApplied?(plan: LocalPlan): void;
  /** Rows for the start-up banner, printed once the first plan is applied. */
  banner?(plan: LocalPlan): BannerContribution;
  /** First thing when the runtime stops, while it still serves requests in flight. */
  stop?(): void | Promise<void>;
}

/** Creates an extension, once the runtime has its port and emulators and has read the first plan. */
export type ExtensionFactory = (runtime: RuntimeView) => RuntimeExtension;
