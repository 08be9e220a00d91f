import * as path from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT, THROWAWAY_CREDENTIALS } from '../local-aws.js';
import type { QueueDef, SecretDef, TableDef } from '../plan.js';
import { SecretStore, type SecretValue } from '../secrets/secret-store.js';
import { startSecretsServer } from '../secrets/secrets-server.js';
import type { PollerSqs } from '../sqs/poller-sqs.js';
import { startDynamoEmulator } from './dynamo-emulator.js';
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
}

/**
 * Starts fauxqs (SQS), dynalite (DynamoDB) and a Secrets Manager endpoint in
 * this process, bound to 127.0.0.1 on free ports.
 */
export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const { region, dataDir } = options;
  const sqsServer = await startSqsEmulator({ region, ...(dataDir ? { dataDir: path.join(dataDir, 'sqs') } : {}) });
  const dynamoServer = await startDynamoEmulator(dataDir ? { dataDir: path.join(dataDir, 'dynamodb') } : {});
  const secrets = new SecretStore(options.secretsFile);
  const secretsServer = await startSecretsServer(secrets);
  const clientConfig = { region, credentials: { ...THROWAWAY_CREDENTIALS } };
  const sqs = new SQSClient({ ...clientConfig, endpoint: sqsServer.endpoint });
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoServer.endpoint });
  const queueUrl = (name: string) => `${sqsServer.endpoint}/${LOCAL_ACCOUNT}/${name}`;
  return {
    sqsEndpoint: sqsServer.endpoint,
    dynamodbEndpoint: dynamoServer.endpoint,
    sqs,
    pollerSqs: sqsServer.pollerSqs,
    dynamodb,
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
