import * as path from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT, THROWAWAY_CREDENTIALS } from '../local-aws.js';
import type { BucketDef, CorsRuleDef, QueueDef, SecretDef, TableDef } from '../plan.js';
import { trustedOriginRule } from '../s3/cors.js';
import { startS3Front } from '../s3/s3-front.js';
import { SecretStore, type SecretValue } from '../secrets/secret-store.js';
import { startSecretsServer } from '../secrets/secrets-server.js';
import type { PollerSqs } from '../sqs/poller-sqs.js';
import { startDynamoEmulator } from './dynamo-emulator.js';
import { ensureBuckets, sweepExpiredObjects } from './s3-buckets.js';
import { startSqsEmulator } from './sqs-emulator.js';
import { sweepExpired } from './ttl-sweep.js';

/** The embedded SQS and DynamoDB emulators, on loopback ports. */
export interface Emulators {
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly sqs: SQSClient;
  /**
   * ReceiveMessage and DeleteMessageBatch for event source pollers, answered in
   * this process by fauxqs's own actions on its store, without HTTP, signing and
   * JSON in between: same validation, visibility, receive counts and redrive.
   */
  readonly pollerSqs: PollerSqs;
  readonly dynamodb: DynamoDBClient;
  /**
   * The local S3 endpoint functions get: fauxqs's S3 behind the runtime's own
   * checks of POST policies, presigned URLs and CORS (`s3/s3-front.ts`).
   */
  readonly s3Endpoint: string;
  /** A client of fauxqs's S3 itself, for the runtime and extensions. */
  readonly s3: S3Client;
  /** Creates the buckets that do not exist yet, and takes their CORS rules. */
  ensureBuckets(buckets: readonly BucketDef[]): Promise<void>;
  /** Deletes objects past their bucket's expiration rules, which fauxqs stores but does not run. */
  sweepExpiredObjects(buckets: readonly BucketDef[], now?: Date): Promise<number>;
  /** The URL handlers and the runtime use for a queue name. */
  queueUrl(name: string): string;
  /** Creates the queues (DLQs first), or updates their attributes when they already exist. */
  ensureQueues(queues: readonly QueueDef[]): Promise<void>;
  /** Creates the tables that do not exist yet. */
  ensureTables(tables: readonly TableDef[]): Promise<void>;
  /** The Secrets Manager endpoint (GetSecretValue) that serves the plan's secrets. */
  readonly secretsEndpoint: string;
  /** Takes the plan's secrets; returns those whose value was generated now, to print once. */
  ensureSecrets(secrets: readonly SecretDef[]): SecretValue[];
  /** Deletes items whose TTL attribute has passed, as DynamoDB's TTL does (dynalite has none). */
  sweepExpired(tables: readonly TableDef[], now?: Date): Promise<number>;
  stop(): Promise<void>;
}

/** Options of {@link startEmulators}. */
export interface EmulatorOptions {
  readonly region: string;
  /** Keep queues, messages and items in this directory across restarts. @default in memory */
  readonly dataDir?: string;
  /** Keep generated secret values in this file across restarts. @default in memory */
  readonly secretsFile?: string;
  /** The runtime's own URL: its pages may call the buckets from a browser (CORS). @default none */
  readonly trustedOrigin?: string;
}

/**
 * The largest object the local S3 takes in one request: above any upload limit
 * a stack may set (100 MiB), far below S3's 5 GB, which a laptop need not hold in memory.
 */
export const LOCAL_MAX_OBJECT_BYTES = 128 * 1024 * 1024;

/**
 * Starts fauxqs (SQS and S3, behind a front that checks presigned requests),
 * dynalite (DynamoDB) and a Secrets Manager endpoint in this process, bound to
 * 127.0.0.1 on free ports.
 */
export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const { region, dataDir } = options;
  const sqsServer = await startSqsEmulator({
    region,
    bodyLimit: LOCAL_MAX_OBJECT_BYTES,
    ...(dataDir ? { dataDir: path.join(dataDir, 'sqs') } : {}),
  });
  const dynamoServer = await startDynamoEmulator(dataDir ? { dataDir: path.join(dataDir, 'dynamodb') } : {});
  const secrets = new SecretStore(options.secretsFile);
  const secretsServer = await startSecretsServer(secrets);
  const clientConfig = { region, credentials: { ...THROWAWAY_CREDENTIALS } };
  const sqs = new SQSClient({ ...clientConfig, endpoint: sqsServer.endpoint });
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoServer.endpoint });
  // fauxqs serves S3 on the same port as SQS; the front checks what S3 checks before it.
  const s3 = new S3Client({ ...clientConfig, endpoint: sqsServer.endpoint });
  let cors = new Map<string, readonly CorsRuleDef[]>();
  const trusted = options.trustedOrigin ? [trustedOriginRule(options.trustedOrigin)] : [];
  const s3Front = await startS3Front({
    target: sqsServer.endpoint,
    credentials: [THROWAWAY_CREDENTIALS],
    corsRules: (bucket) => [...(cors.get(bucket) ?? []), ...trusted],
    maxBodyBytes: LOCAL_MAX_OBJECT_BYTES,
  });
  const queueUrl = (name: string) => `${sqsServer.endpoint}/${LOCAL_ACCOUNT}/${name}`;
  return {
    sqsEndpoint: sqsServer.endpoint,
    dynamodbEndpoint: dynamoServer.endpoint,
    sqs,
    pollerSqs: sqsServer.pollerSqs,
    dynamodb,
    s3Endpoint: s3Front.endpoint,
    s3,
    async ensureBuckets(buckets) {
      await ensureBuckets(s3, buckets);
      cors = new Map(buckets.map((b) => [b.name, b.cors]));
    },
    sweepExpiredObjects: (buckets, now) => sweepExpiredObjects(s3, buckets, now),
    queueUrl,
    async ensureQueues(queues) {
      // A redrive policy may only name a queue that exists.
      const targets = new Set(queues.map((q) => q.deadLetterQueue).filter(Boolean));
      for (const q of queues.filter((x) => targets.has(x.logicalId))) await ensureQueue(sqs, q, queueUrl(q.name));
      for (const q of queues.filter((x) => !targets.has(x.logicalId))) await ensureQueue(sqs, q, queueUrl(q.name));
    },
    async ensureTables(tables) {
      for (const t of tables) await ensureTable(dynamodb, t);
    },
    secretsEndpoint: secretsServer.endpoint,
    ensureSecrets: (defs) => secrets.apply(defs),
    sweepExpired: (tables, now) => sweepExpired(dynamodb, tables, now),
    async stop() {
      sqs.destroy();
      dynamodb.destroy();
      s3.destroy();
      await s3Front.stop();
      await Promise.all([sqsServer.stop(), dynamoServer.stop(), secretsServer.stop()]);
    },
  };
}

async function ensureQueue(sqs: SQSClient, q: QueueDef, url: string): Promise<void> {
  try {
    await sqs.send(new CreateQueueCommand({ QueueName: q.name, Attributes: q.attributes }));
  } catch (error) {
    // A persisted queue whose attributes changed in the app: apply the new ones, as a deploy would.
    if ((error as Error).name !== 'QueueNameExists' && (error as Error).name !== 'QueueAlreadyExists') throw error;
    const { FifoQueue: _fifo, ...mutable } = q.attributes;
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: mutable }));
  }
}

async function ensureTable(dynamodb: DynamoDBClient, table: TableDef): Promise<void> {
  try {
    await dynamodb.send(new CreateTableCommand(table.create as unknown as CreateTableCommandInput));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
