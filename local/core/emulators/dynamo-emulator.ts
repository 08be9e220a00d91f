import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const DYNALITE_THREAD = fileURLToPath(new URL('./dynalite-thread.mjs', import.meta.url));

type DynaliteMessage = { type: 'listening'; port: number } | { type: 'error'; message: string } | { type: 'closed' };

/** dynalite, serving DynamoDB on loopback from a worker thread of its own. */
export interface DynamoEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Closes dynalite, which flushes a persisted store, then ends its thread. */
  stop(): Promise<void>;
}

/** Starts dynalite on 127.0.0.1 and a free port (see dynalite-thread.mjs). */
export async function startDynamoEmulator(options: { dataDir?: string }): Promise<DynamoEmulator> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const worker = new Worker(DYNALITE_THREAD, { execArgv: [], workerData: { path: options.dataDir } });
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
      await new Promise<void>((resolve) => {
        worker.on('message', (m: DynaliteMessage) => m.type === 'closed' && resolve());
        worker.postMessage('close');
      });
      await worker.terminate();
    },
  };
}
