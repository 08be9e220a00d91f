import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  CreateTableCommand,
  DeleteItemCommand,
  DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_ACCOUNT } from './intrinsics.js';
import type { PollerReceiveInput, PollerSqs, ReceivedMessage } from './sqs-poller.js';
import type { QueueDef, TableDef } from './template.js';

/** Dummy credentials: neither emulator checks them, and they can never reach a real account. Copy before use: the SDK writes to it. */
export const LOCAL_CREDENTIALS = Object.freeze({ accessKeyId: 'local', secretAccessKey: 'local' });

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
  /** Deletes items whose TTL attribute has passed, as DynamoDB's TTL does (dynalite has none). */
  sweepExpired(tables: readonly TableDef[], now?: Date): Promise<number>;
  stop(): Promise<void>;
}

/** Options of {@link startEmulators}. */
export interface EmulatorOptions {
  readonly region: string;
  /** Keep queues, messages and items in this directory across restarts. @default in memory */
  readonly dataDir?: string;
}

interface FastifyLike {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<void>;
  addHook(name: 'preClose', fn: () => void): void;
}

/**
 * fauxqs's `startFauxqs` always binds 0.0.0.0, and its public `buildApp` cannot
 * persist. Its stores are wired here as `startFauxqs` wires them, so the emulator
 * listens on loopback only, with or without persistence.
 */
/** fauxqs loads node:sqlite even in memory; its ExperimentalWarning says nothing to a user of the runtime. */
function silenceSqliteWarning(): void {
  const emit = process.emitWarning.bind(process);
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (text.includes('SQLite is an experimental feature')) return;
    (emit as (...a: unknown[]) => void)(warning, ...rest);
  }) as typeof process.emitWarning;
}

/** The part of a fauxqs queue that a long poll waits on. */
interface FauxqsQueue {
  waitForMessages(seconds: number): Promise<void>;
  pollWaiters: { resolve(): void; timer: NodeJS.Timeout }[];
}

interface FauxqsStore {
  getQueue(url: string): FauxqsQueue | undefined;
}

type ReceiveAction = (body: PollerReceiveInput, store: FauxqsStore) => Promise<{ Messages?: ReceivedMessage[] }>;
type DeleteBatchAction = (
  body: { QueueUrl: string; Entries: readonly { Id: string; ReceiptHandle: string }[] },
  store: FauxqsStore,
) => { Successful: unknown[]; Failed: { Code?: string; Message?: string }[] };

/**
 * Calls fauxqs's ReceiveMessage and DeleteMessageBatch actions directly. A long
 * poll is a receive that does not wait, then one wait on the queue, then another
 * such receive, as fauxqs's own action does; the wait is taken off the queue when
 * the poller stops, so an abandoned poll never takes messages it cannot process.
 */
function directPollerSqs(
  store: FauxqsStore,
  receiveMessage: ReceiveAction,
  deleteMessageBatch: DeleteBatchAction,
): PollerSqs {
  const now = async (input: PollerReceiveInput) =>
    (await receiveMessage({ ...input, WaitTimeSeconds: 0 }, store)).Messages ?? [];
  return {
    async receive(input, signal) {
      signal.throwIfAborted();
      const first = await now(input);
      const queue = store.getQueue(input.QueueUrl);
      if (first.length || input.WaitTimeSeconds <= 0 || !queue) return first;
      const waited = queue.waitForMessages(input.WaitTimeSeconds);
      const waiter = queue.pollWaiters.at(-1);
      const cancel = () => {
        const i = waiter ? queue.pollWaiters.indexOf(waiter) : -1;
        if (i === -1 || !waiter) return;
        queue.pollWaiters.splice(i, 1);
        clearTimeout(waiter.timer);
        waiter.resolve();
      };
      signal.addEventListener('abort', cancel, { once: true });
      try {
        await waited;
      } finally {
        signal.removeEventListener('abort', cancel);
      }
      signal.throwIfAborted();
      return now(input);
    },
    async deleteBatch(queueUrl, entries) {
      const out = deleteMessageBatch({ QueueUrl: queueUrl, Entries: entries }, store);
      return { deleted: out.Successful.length, failed: out.Failed };
    },
  };
}

async function startSqs(
  dataDir: string | undefined,
  region: string,
): Promise<{ endpoint: string; pollerSqs: PollerSqs; stop(): Promise<void> }> {
  silenceSqliteWarning();
  const appUrl = import.meta.resolve('fauxqs');
  const load = async <T>(rel: string): Promise<T> => (await import(new URL(rel, appUrl).href)) as T;
  const { buildApp } = await load<{ buildApp(o: unknown): FastifyLike }>('./app.js');
  const { SqsStore } = await load<{ SqsStore: new () => Record<string, unknown> }>('./sqs/sqsStore.js');
  const { SnsStore } = await load<{ SnsStore: new () => Record<string, unknown> }>('./sns/snsStore.js');
  const { S3Store } = await load<{ S3Store: new () => Record<string, unknown> }>('./s3/s3Store.js');
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  // An empty host makes queue URLs use the request's Host (127.0.0.1:port), which resolves, unlike sqs.<region>.localhost.
  sqsStore.host = '';
  let persistence: { close(): void } | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    const { PersistenceManager } = await load<{
      PersistenceManager: new (dir: string) => { load(a: unknown, b: unknown, c: unknown): void; close(): void };
    }>('./persistence.js');
    const manager = new PersistenceManager(dataDir);
    manager.load(sqsStore, snsStore, s3Store);
    sqsStore.persistence = manager;
    snsStore.persistence = manager;
    s3Store.persistence = manager;
    for (const queue of (sqsStore.allQueues as () => Iterable<Record<string, unknown>>)()) {
      queue.persistence = manager;
    }
    persistence = manager;
  }
  const app = buildApp({ logger: false, defaultRegion: region, stores: { sqsStore, snsStore, s3Store } });
  if (persistence) {
    const p = persistence;
    app.addHook('preClose', () => p.close());
  }
  const endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  const { receiveMessage } = await load<{ receiveMessage: ReceiveAction }>('./sqs/actions/receiveMessage.js');
  const { deleteMessageBatch } = await load<{ deleteMessageBatch: DeleteBatchAction }>(
    './sqs/actions/deleteMessageBatch.js',
  );
  const pollerSqs = directPollerSqs(sqsStore as unknown as FauxqsStore, receiveMessage, deleteMessageBatch);
  return { endpoint, pollerSqs, stop: () => app.close() };
}

const DYNALITE_THREAD = fileURLToPath(new URL('./dynalite-thread.mjs', import.meta.url));

type DynaliteMessage = { type: 'listening'; port: number } | { type: 'error'; message: string } | { type: 'closed' };

/** dynalite on loopback, in a worker thread of its own (see dynalite-thread.mjs). */
async function startDynamo(dataDir: string | undefined): Promise<{ endpoint: string; stop(): Promise<void> }> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const worker = new Worker(DYNALITE_THREAD, { execArgv: [], workerData: { path: dataDir } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (m: DynaliteMessage) => {
      if (m.type === 'listening') resolve(m.port);
      else if (m.type === 'error') reject(new Error(`dynalite: ${m.message}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      // close() also closes the LevelDB store, so persisted data is flushed before the thread ends.
      await new Promise<void>((resolve) => {
        worker.on('message', (m: DynaliteMessage) => m.type === 'closed' && resolve());
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}

/** Starts fauxqs (SQS) and dynalite (DynamoDB) in this process, bound to 127.0.0.1 on free ports. */
export async function startEmulators(options: EmulatorOptions): Promise<Emulators> {
  const { region, dataDir } = options;
  const sqsServer = await startSqs(dataDir && path.join(dataDir, 'sqs'), region);
  const dynamoServer = await startDynamo(dataDir && path.join(dataDir, 'dynamodb'));
  const clientConfig = { region, credentials: { ...LOCAL_CREDENTIALS } };
  const sqs = new SQSClient({ ...clientConfig, endpoint: sqsServer.endpoint });
  const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: dynamoServer.endpoint });
  const queueUrl = (name: string) => `${sqsServer.endpoint}/${LOCAL_ACCOUNT}/${name}`;

  async function ensureQueue(q: QueueDef): Promise<void> {
    try {
      await sqs.send(new CreateQueueCommand({ QueueName: q.name, Attributes: q.attributes }));
    } catch (error) {
      // A persisted queue whose attributes changed in the app: apply the new ones, as a deploy would.
      if ((error as Error).name !== 'QueueNameExists' && (error as Error).name !== 'QueueAlreadyExists') throw error;
      const { FifoQueue: _fifo, ...mutable } = q.attributes;
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl(q.name), Attributes: mutable }));
    }
  }

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
      for (const q of queues.filter((x) => targets.has(x.logicalId))) await ensureQueue(q);
      for (const q of queues.filter((x) => !targets.has(x.logicalId))) await ensureQueue(q);
    },
    async ensureTables(tables) {
      for (const t of tables) {
        try {
          await dynamodb.send(new CreateTableCommand(t.create as unknown as CreateTableCommandInput));
        } catch (error) {
          if (!(error instanceof ResourceInUseException)) throw error;
        }
      }
    },
    async sweepExpired(tables, now = new Date()) {
      let deleted = 0;
      const nowSeconds = Math.floor(now.getTime() / 1000);
      for (const t of tables) {
        if (!t.ttlAttribute) continue;
        const keys = (t.create.KeySchema as { AttributeName: string }[]).map((k) => k.AttributeName);
        let start: Record<string, unknown> | undefined;
        do {
          const page = await dynamodb.send(
            new ScanCommand({
              TableName: t.name,
              FilterExpression: '#ttl < :now',
              ExpressionAttributeNames: { '#ttl': t.ttlAttribute },
              ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
              ...(start ? { ExclusiveStartKey: start as never } : {}),
            }),
          );
          for (const item of page.Items ?? []) {
            const key = Object.fromEntries(keys.map((k) => [k, item[k]]));
            await dynamodb
              .send(
                new DeleteItemCommand({
                  TableName: t.name,
                  Key: key as never,
                  ConditionExpression: '#ttl < :now',
                  ExpressionAttributeNames: { '#ttl': t.ttlAttribute },
                  ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
                }),
              )
              .then(
                () => deleted++,
                () => undefined,
              );
          }
          start = page.LastEvaluatedKey;
        } while (start);
      }
      return deleted;
    },
    async stop() {
      sqs.destroy();
      dynamodb.destroy();
      await Promise.all([sqsServer.stop(), dynamoServer.stop()]);
    },
  };
}
