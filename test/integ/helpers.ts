import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type BatchItem, createJobClient, type JobView } from '@queue-workers/client';
import type { JobTypes } from '../../lambda/jobs/registry.js';
import { THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { type LocalOptions, type LocalRuntime, type Output, startLocal } from '../../local/index.js';
import { INTEG_STACK } from './fixtures/app.js';

/** An {@link Output} that keeps every line, for assertions on what the runtime printed. */
export function captureOutput(): Output & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    live: false,
    functionLine: (name, line) => lines.push(`[${name}] ${line}`),
    info: (line) => lines.push(line),
    status: () => undefined,
    close: () => undefined,
  };
}

import { waitFor } from '../helpers/wait.js';

export type { JobView };
export { waitFor };

/**
 * The local runtime on a free port, running the integration fixture app (the
 * real stack with a short simulate timeout, plus a probe), synthesized to its
 * own output folder so it never touches cdk.out.
 */
export function startFixtureRuntime(options: LocalOptions = {}): Promise<LocalRuntime> {
  return startLocal({
    port: 0,
    app: 'tsx test/integ/fixtures/app.ts',
    outDir: '.qw/integ.out',
    stack: INTEG_STACK,
    sources: ['bin', 'lib', 'lambda', 'test/integ/fixtures', 'cdk.json'],
    output: captureOutput(),
    ...options,
  });
}

/**
 * The local API through `@queue-workers/client`, typed by the registry
 * (`jobs`), with the shorthands the tests use. The local runtime does not
 * check auth, so nothing signs.
 */
export function apiClient(runtime: LocalRuntime) {
  const jobs = createJobClient<JobTypes>({ url: runtime.url, auth: 'none' });
  const request = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await jobs.request(method, path, body === undefined ? {} : { body });
    return { status: res.status, headers: res.headers, body: (res.body ?? {}) as Record<string, unknown> };
  };
  return {
    jobs,
    request,
    /** Submits one job with `POST /jobs` and returns its id. */
    async submit(job: BatchItem<JobTypes>): Promise<string> {
      const { type, payload, ...options } = job;
      return (await jobs.submit(type, payload, options)).jobId;
    },
    job(jobId: string): Promise<JobView> {
      return jobs.get(jobId);
    },
    /** Waits until the job is succeeded or failed. */
    settled(jobId: string, timeoutMs = 60_000): Promise<JobView> {
      return jobs.waitFor(jobId, { timeoutMs });
    },
  };
}

/** Drains a queue in the background and keeps every message body, parsed. */
export function queueRecorder<T>(runtime: LocalRuntime, queueUrl: string) {
  const sqs = new SQSClient({
    region: runtime.region,
    endpoint: runtime.sqsEndpoint,
    credentials: { ...THROWAWAY_CREDENTIALS },
  });
  const items: T[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      const messages = out.Messages ?? [];
      for (const m of messages) items.push(JSON.parse(m.Body ?? 'null') as T);
      if (messages.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
      }
    }
  })();
  return {
    items,
    async stop() {
      running = false;
      await loop;
      sqs.destroy();
    },
  };
}
