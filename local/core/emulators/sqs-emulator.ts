import type { FauxqsServer } from 'fauxqs';
import type { PollerSqs } from '../sqs/poller-sqs.js';

/** fauxqs, serving SQS on loopback, with an in-process door for the event source pollers. */
export interface SqsEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly pollerSqs: PollerSqs;
  stop(): Promise<void>;
}

/**
 * Starts fauxqs on 127.0.0.1 and a free port, through its public API (with the
 * options patches/fauxqs+2.4.1.patch adds: `bindAddress`, an empty `host`,
 * in-process receive and delete, and `bodyLimit`). It serves SQS and S3.
 */
export async function startSqsEmulator(options: {
  region: string;
  dataDir?: string;
  /** The largest request body fauxqs reads (its S3 objects). @default fauxqs's 11 MiB */
  bodyLimit?: number;
}): Promise<SqsEmulator> {
  // Loaded when first started: fauxqs loads node:sqlite, whose ExperimentalWarning `npm start` silences first.
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({
    port: 0,
    bindAddress: '127.0.0.1',
    // Queue URLs then use the request's Host (127.0.0.1:<port>), which resolves, unlike sqs.<region>.localhost.
    host: '',
    logger: false,
    defaultRegion: options.region,
    ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    pollerSqs: fauxqsPollerSqs(server),
    stop: () => server.stop(),
  };
}

/**
 * ReceiveMessage and DeleteMessageBatch answered by fauxqs in this process,
 * without HTTP, signing and JSON in between: the same validation, visibility,
 * receive counts and redrive, at half the runtime's CPU. A poller's aborted long
 * poll takes no message.
 */
export function fauxqsPollerSqs(server: Pick<FauxqsServer, 'receiveMessage' | 'deleteMessageBatch'>): PollerSqs {
  return {
    async receive(input, signal) {
      const out = await server.receiveMessage({ ...input }, { signal });
      return out.Messages ?? [];
    },
    async deleteBatch(queueUrl, entries) {
      const out = server.deleteMessageBatch({ QueueUrl: queueUrl, Entries: [...entries] });
      return { deleted: out.Successful.length, failed: out.Failed };
    },
  };
}
