import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { JobQueue, OutgoingMessage } from '../../lambda/api/enqueue.js';
import { errorResponse } from '../../lambda/api/http.js';
import { type ApiDeps, route } from '../../lambda/api/routes.js';
import { jobTypes } from '../../lambda/jobs/registry.js';
import { ClaimCheck } from '../../lambda/shared/claim-check.js';
import {
  DEFAULT_DOWNLOAD_URL_SECONDS,
  DEFAULT_UPLOAD_MAX_BYTES,
  DEFAULT_UPLOAD_URL_SECONDS,
} from '../../lambda/shared/config.js';
import type { JobStorage } from '../../lambda/shared/storage.js';
import { MemoryJobStore } from './memory-store.js';

/** A character SQS refuses in a message body (outside #x9, #xA, #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF). */
const SQS_INVALID = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/**
 * A queue that records what was sent and can be told to refuse messages. Like
 * SQS, it refuses a body with characters SQS does not carry.
 */
export class RecordingQueue implements JobQueue {
  readonly sent: { queueUrl: string; message: OutgoingMessage }[] = [];
  /** Ids to refuse; `'all'` refuses everything. */
  refuse: Set<string> | 'all' = new Set();

  async send(queueUrl: string, messages: readonly OutgoingMessage[]): Promise<Set<string>> {
    const failed = new Set<string>();
    for (const message of messages) {
      if (this.refuse === 'all' || this.refuse.has(message.id) || SQS_INVALID.test(message.body))
        failed.add(message.id);
      else this.sent.push({ queueUrl, message });
    }
    return failed;
  }
}

/** The bucket of {@link memoryApiDeps}. */
export const TEST_BUCKET = 'qw-files';

/**
 * A bucket whose client points at the discard port of this machine: a test
 * mocks the calls it expects with aws-sdk-client-mock (`mockClient(S3Client)`),
 * and any other call is refused at once instead of reaching AWS.
 */
export function testStorage(): JobStorage {
  return {
    bucket: TEST_BUCKET,
    s3: new S3Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
  };
}

/**
 * API dependencies backed by memory, with one queue and DLQ per registered type.
 * `sqs` is a real client for redrive, and `storage` a real S3 client (with the
 * claim check on it); tests mock them with aws-sdk-client-mock.
 */
export function memoryApiDeps(): ApiDeps & {
  store: MemoryJobStore;
  queue: RecordingQueue;
  sqs: SQSClient;
  storage: JobStorage;
  claimCheck: ClaimCheck;
} {
  const now = () => new Date('2026-11-24T00:00:00.000Z');
  const storage = testStorage();
  return {
    storage,
    claimCheck: new ClaimCheck(storage),
    store: new MemoryJobStore({ now }),
    queue: new RecordingQueue(),
    sqs: new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    jobTypes,
    config: {
      tableName: 'jobs',
      retentionDays: 30,
      queueUrls: Object.fromEntries(jobTypes.map((t) => [t.name, `https://sqs.local/queue-${t.name}`])),
      deadLetterQueues: Object.fromEntries(
        jobTypes.map((t) => [
          t.name,
          { url: `https://sqs.local/dlq-${t.name}`, arn: `arn:aws:sqs:us-east-1:123456789012:dlq-${t.name}` },
        ]),
      ),
      storage: {
        bucket: TEST_BUCKET,
        uploadMaxBytes: DEFAULT_UPLOAD_MAX_BYTES,
        uploadUrlSeconds: DEFAULT_UPLOAD_URL_SECONDS,
        downloadUrlSeconds: DEFAULT_DOWNLOAD_URL_SECONDS,
      },
    },
    now,
  };
}

/**
 * Routes one request as the API handler does, an error becoming its response,
 * and returns its status, headers, raw body and parsed JSON body.
 */
export async function callRoute(deps: ApiDeps, event: APIGatewayProxyEvent) {
  let res: Awaited<ReturnType<typeof route>>;
  try {
    res = await route(event, deps);
  } catch (error) {
    res = errorResponse(error, 'req-1');
  }
  return { status: res.statusCode, headers: res.headers ?? {}, text: res.body, body: JSON.parse(res.body) };
}
