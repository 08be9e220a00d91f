import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { JobLogger } from '../jobs/define.js';
import { WEBHOOK_DELIVER, type WebhookPayload, webhookDeliver } from '../jobs/webhook-deliver.js';
import type { CallbackConfig } from './config.js';
import { errorInfo, ServiceUnavailableError } from './errors.js';
import { type JobMessage, type JobRecord, MAX_MESSAGE_BYTES } from './job.js';
import type { FinishedJob, FinishedJobListener } from './job-finished.js';
import { hashedJobId } from './job-id.js';
import type { JobStore } from './job-store.js';

/** The one SQS call callbacks make: SendMessage to the webhook.deliver queue. An `SQSClient` fits. */
export interface CallbackSqs {
  send(command: SendMessageCommand): Promise<unknown>;
}

/** Error code of a callback delivery whose message SQS did not take: it is recorded `failed`, and not sent. */
export const ENQUEUE_FAILED = 'ENQUEUE_FAILED';

/** What {@link completionCallbacks} needs. */
export interface CompletionCallbackDeps {
  readonly store: Pick<JobStore, 'get' | 'create' | 'transition'>;
  readonly sqs: CallbackSqs;
  readonly config: CallbackConfig;
  readonly logger: JobLogger;
  /** The delivery job's `createdAt`. @default () => new Date() */
  readonly now?: () => Date;
}

/** What a callback URL receives, as JSON: the job's outcome, as its finisher told it. */
export type CallbackBody = Omit<FinishedJob, 'record' | 'origin'> & {
  /** Set when the result was left out to keep the delivery within a queue message; read it with GET /jobs/{jobId}. */
  readonly resultOmitted?: true;
};

/**
 * The id of the job that delivers a job's callback for a status: derived, so a
 * second attempt to queue the same callback is refused by the store's
 * conditional create. One callback per job and status: a `failed` job that is
 * redriven and then succeeds is called back again, one that fails again is not.
 */
export function callbackJobId(jobId: string, status: FinishedJob['status']): string {
  return hashedJobId('callback', `${status}:${jobId}`);
}

/** The JSON a callback URL receives for a finished job. */
export function callbackBody(job: FinishedJob): CallbackBody {
  const { jobId, type, status, attempts, finishedAt } = job;
  if (status === 'succeeded') return { jobId, type, status, attempts, result: job.result ?? null, finishedAt };
  return {
    jobId,
    type,
    status,
    attempts,
    error: job.error ?? { code: 'UNKNOWN', message: 'No error recorded.' },
    finishedAt,
  };
}

/**
 * The message text of a delivery. JSON.stringify leaves U+FFFE and U+FFFF
 * unescaped, and SQS refuses them; escaped, they parse back the same.
 */
function messageText(message: JobMessage): string {
  return JSON.stringify(message).replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** The delivery's message: the callback body, or without the result when that would not fit in a message. */
function deliveryMessage(id: string, url: string, job: FinishedJob, createdAt: string): string {
  const message = (body: CallbackBody): JobMessage => {
    const payload: WebhookPayload = { url, body: body as unknown as WebhookPayload['body'], sign: true };
    return { jobId: id, type: WEBHOOK_DELIVER, payload, createdAt };
  };
  const full = callbackBody(job);
  const text = messageText(message(full));
  if (Buffer.byteLength(text) <= MAX_MESSAGE_BYTES) return text;
  const { result: _left, ...rest } = full;
  return messageText(message({ ...rest, resultOmitted: true }));
}

/**
 * A finished-job listener that queues a completion callback for each job
 * submitted with a `callbackUrl`: a `webhook.deliver` job, signed, sent
 * straight to that type's queue, so it has webhook.deliver's retries, backoff,
 * DLQ and idempotency key. The callback URL is on the record the finisher
 * read, or in the job message's origin; where it has neither (a reconciler, a
 * rare failure path), the record is read here.
 *
 * As the API does, the message goes before the record, so the delivery's
 * record never says `queued` without a message: a finisher that stops in
 * between leaves a message whose worker writes the record when it runs it.
 */
export function completionCallbacks(deps: CompletionCallbackDeps): FinishedJobListener {
  return async (job) => {
    const url = await callbackUrlOf(job, deps.store);
    if (url === undefined) return;
    const id = callbackJobId(job.jobId, job.status);
    const ids = { jobId: job.jobId, callbackJobId: id };
    if (await deps.store.get(id)) {
      deps.logger.debug('completion callback already queued', ids);
      return;
    }
    const createdAt = (deps.now ?? (() => new Date()))().toISOString();
    const body = deliveryMessage(id, url, job, createdAt);
    const { maxAttempts } = webhookDeliver.queue;
    try {
      await deps.sqs.send(
        new SendMessageCommand({
          QueueUrl: deps.config.queueUrl,
          MessageBody: body,
          MessageAttributes: {
            jobId: { DataType: 'String', StringValue: id },
            type: { DataType: 'String', StringValue: WEBHOOK_DELIVER },
          },
        }),
      );
    } catch (error) {
      // Not queued: left as a `failed` delivery, so the job's callback shows what became of it.
      const failed = { code: ENQUEUE_FAILED, message: `SQS did not accept the callback: ${errorInfo(error).message}` };
      await deps.store
        .transition(id, { to: 'failed', attempt: 0, error: failed }, { type: WEBHOOK_DELIVER, maxAttempts })
        .catch(() => undefined);
      throw new ServiceUnavailableError(
        `The completion callback of job ${job.jobId} (callback job ${id}) could not be queued; it is failed with ${ENQUEUE_FAILED}.`,
        error,
      );
    }
    const record: JobRecord = {
      jobId: id,
      type: WEBHOOK_DELIVER,
      status: 'queued',
      attempts: 0,
      maxAttempts,
      createdAt,
      updatedAt: createdAt,
    };
    // Conditional: the delivery's worker may have written its record first.
    await deps.store.create(record);
    deps.logger.debug('completion callback queued', ids);
  };
}

/** Where a finished job's callback goes, if anywhere: read from the table only when its finisher knows neither. */
async function callbackUrlOf(job: FinishedJob, store: Pick<JobStore, 'get'>): Promise<string | undefined> {
  if (job.record) return job.record.callbackUrl;
  if (job.origin) return job.origin.callbackUrl;
  return (await store.get(job.jobId))?.callbackUrl;
}
