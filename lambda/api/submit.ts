import { createHash, randomUUID } from 'node:crypto';
import type { JobType } from '../jobs/define.js';
import { WEBHOOK_DELIVER } from '../jobs/webhook-deliver.js';
import { callbackUrlProblem } from '../shared/callback-url.js';
import type { ClaimCheck } from '../shared/claim-check.js';
import type { ApiConfig } from '../shared/config.js';
import {
  IdempotencyConflictError,
  PayloadTooLargeError,
  type QueueWorkersError,
  ServiceUnavailableError,
  UnknownJobTypeError,
  ValidationError,
} from '../shared/errors.js';
import { ENQUEUE_FAILED, type JobMessage, type JobRecord, MAX_MESSAGE_BYTES } from '../shared/job.js';
import { hashedJobId } from '../shared/job-id.js';
import type { JobStore } from '../shared/job-store.js';
import * as z from '../shared/zod.js';
import type { JobQueue, OutgoingMessage } from './enqueue.js';
import { fieldProblems, type SubmitJobRequest, submitJobRequest } from './schemas.js';

/** What submitting needs, injected so tests and the local runtime can pass their own. */
export interface SubmitDeps {
  readonly store: JobStore;
  readonly queue: JobQueue;
  readonly config: ApiConfig;
  readonly jobTypes: readonly JobType[];
  readonly now?: () => Date;
  /**
   * Stores payloads over one SQS message in the bucket and sends a reference.
   * @default none - such payloads are refused (413) at {@link MAX_MESSAGE_BYTES}
   */
  readonly claimCheck?: ClaimCheck;
}

/** The outcome for one submitted job, in request order. */
export type SubmitResult =
  | { readonly ok: true; readonly job: JobRecord; readonly replayed: boolean }
  | { readonly ok: false; readonly error: QueueWorkersError };

export { ENQUEUE_FAILED } from '../shared/job.js';

/**
 * A character SQS refuses in a message body: anything outside #x9, #xA, #xD,
 * #x20-#xD7FF, #xE000-#xFFFD and #x10000-#x10FFFF. JSON.stringify escapes
 * control characters and lone surrogates, but not U+FFFE and U+FFFF; refusing
 * them here makes a client's payload a 400 rather than an SQS error (a 503 that
 * a retry can never fix).
 */
const SQS_REFUSED_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

interface Accepted {
  readonly index: number;
  readonly type: JobType;
  readonly record: JobRecord;
  readonly message: OutgoingMessage;
}

/** A stable job id for an idempotency key: the same key always names the same job. */
export function jobIdForKey(key: string): string {
  return hashedJobId('idempotency', key);
}

function prepare(
  raw: unknown,
  index: number,
  deps: SubmitDeps,
  now: Date,
  headerKey: string | undefined,
): Accepted | QueueWorkersError {
  const parsed = z.safeParse(submitJobRequest, raw);
  if (!parsed.success) return new ValidationError('The job request is invalid.', fieldProblems(parsed.error));
  const request: SubmitJobRequest = parsed.data;

  const type = deps.jobTypes.find((t) => t.name === request.type);
  if (!type)
    return new UnknownJobTypeError(
      request.type,
      deps.jobTypes.map((t) => t.name),
    );

  // Only a payload left out defaults to {}: `null` is a value, and the document says payload is an object.
  const payload = z.safeParse(type.payload, request.payload === undefined ? {} : request.payload);
  if (!payload.success) {
    return new ValidationError(
      `The payload does not match the schema of job type "${type.name}".`,
      fieldProblems(payload.error, 'payload'),
    );
  }

  const problem = requestProblem(request, type, deps, headerKey);
  if (problem) return problem;
  const key = request.idempotencyKey ?? headerKey;

  const jobId = key === undefined ? randomUUID() : jobIdForKey(key);
  const createdAt = now.toISOString();
  const body: JobMessage = { jobId, type: type.name, payload: payload.data, createdAt };
  const bodyText = JSON.stringify(body);
  const size = Buffer.byteLength(bodyText);
  // With a claim check, the request body's limit bounds the payload; an oversized body is stored when sent.
  if (size > MAX_MESSAGE_BYTES && !deps.claimCheck) return new PayloadTooLargeError(size, MAX_MESSAGE_BYTES);
  const refused = SQS_REFUSED_CHARACTER.exec(bodyText);
  if (refused) {
    const code = `U+${(refused[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
    return new ValidationError(`The payload holds ${code}, a character SQS does not carry; remove or escape it.`, [
      { path: 'payload', message: `contains ${code}` },
    ]);
  }

  // A callback URL joins the hash only when sent, so jobs recorded before callbacks existed keep their hash.
  const hashed = [type.name, payload.data, request.delaySeconds ?? 0, request.groupId ?? null];
  if (request.callbackUrl !== undefined) hashed.push(request.callbackUrl);
  const requestHash = createHash('sha256').update(JSON.stringify(hashed)).digest('base64url');
  const record: JobRecord = {
    jobId,
    type: type.name,
    status: 'queued',
    attempts: 0,
    maxAttempts: type.queue.maxAttempts,
    createdAt,
    updatedAt: createdAt,
    requestHash,
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(request.callbackUrl !== undefined ? { callbackUrl: request.callbackUrl } : {}),
  };
  const message: OutgoingMessage = {
    id: jobId,
    body: bodyText,
    attributes: { jobId, type: type.name },
    ...(request.delaySeconds ? { delaySeconds: request.delaySeconds } : {}),
    ...(type.queue.fifo ? { groupId: request.groupId ?? jobId, deduplicationId: jobId } : {}),
  };
  return { index, type, record, message };
}

/** What is wrong with a request's options for its job type, or with how it names its key. */
function requestProblem(
  request: SubmitJobRequest,
  type: JobType,
  deps: SubmitDeps,
  headerKey: string | undefined,
): ValidationError | undefined {
  const refuse = (path: string, message: string, problem: string) =>
    new ValidationError(message, [{ path, message: problem }]);
  if (headerKey !== undefined && request.idempotencyKey !== undefined && headerKey !== request.idempotencyKey) {
    return refuse(
      'idempotencyKey',
      'The Idempotency-Key header and the idempotencyKey field differ; send one of them.',
      'differs from the Idempotency-Key header',
    );
  }
  if (type.queue.fifo && request.delaySeconds) {
    return refuse(
      'delaySeconds',
      `Job type "${type.name}" runs on a FIFO queue, which has no per-job delay.`,
      'not supported for FIFO job types',
    );
  }
  if (!type.queue.fifo && request.groupId !== undefined) {
    return refuse(
      'groupId',
      `groupId orders jobs on FIFO queues; job type "${type.name}" is not FIFO.`,
      'only for FIFO job types',
    );
  }
  if (request.callbackUrl === undefined) return undefined;
  if (!deps.config.queueUrls[WEBHOOK_DELIVER]) {
    const message = `Completion callbacks are delivered by the ${WEBHOOK_DELIVER} job type, which this stack does not run.`;
    return refuse('callbackUrl', message, `needs the ${WEBHOOK_DELIVER} job type`);
  }
  const allowPrivateNetworks = deps.config.allowPrivateNetworks ?? false;
  const problem = callbackUrlProblem(request.callbackUrl, { allowPrivateNetworks });
  return problem ? refuse('callbackUrl', `callbackUrl ${problem}.`, problem) : undefined;
}

/**
 * Validates, records and queues jobs. Each item succeeds or fails on its own.
 * A job's record is written before its message, so a worker always finds it;
 * a message SQS refuses leaves the record `failed` with {@link ENQUEUE_FAILED},
 * which a retry with the same idempotency key queues again.
 */
export async function submitJobs(
  items: readonly unknown[],
  deps: SubmitDeps,
  headerKey?: string,
): Promise<SubmitResult[]> {
  const now = (deps.now ?? (() => new Date()))();
  const results: SubmitResult[] = new Array(items.length);
  const fresh: Accepted[] = [];
  const keyed: Accepted[] = [];
  items.forEach((raw, index) => {
    const prepared = prepare(raw, index, deps, now, headerKey);
    if (!('record' in prepared)) results[index] = { ok: false, error: prepared };
    else if (prepared.record.idempotencyKey === undefined) fresh.push(prepared);
    else keyed.push(prepared);
  });

  const toSend: Accepted[] = [];
  try {
    await deps.store.createMany(fresh.map((a) => a.record));
    toSend.push(...fresh);
  } catch (error) {
    for (const a of fresh) results[a.index] = { ok: false, error: unavailable('record', error) };
  }

  // Items that share a key run one after another, so the second sees the first's record.
  const chains = new Map<string, Promise<void>>();
  await Promise.all(
    keyed.map((a) => {
      const key = a.record.idempotencyKey as string;
      const next = (chains.get(key) ?? Promise.resolve()).then(() => claimKey(a, deps, results, toSend));
      chains.set(key, next);
      return next;
    }),
  );

  await sendAll(toSend, deps, results);
  return results;
}

async function claimKey(a: Accepted, deps: SubmitDeps, results: SubmitResult[], toSend: Accepted[]): Promise<void> {
  try {
    const outcome = await deps.store.create(a.record);
    if (outcome.created) {
      toSend.push(a);
      return;
    }
    const existing = outcome.existing;
    if (existing.requestHash !== a.record.requestHash) {
      results[a.index] = { ok: false, error: new IdempotencyConflictError(existing.jobId) };
    } else if (existing.status === 'failed' && existing.error?.code === ENQUEUE_FAILED) {
      const reopened = await deps.store.transition(
        existing.jobId,
        { to: 'queued', from: 'failed' },
        { type: a.type.name, maxAttempts: a.type.queue.maxAttempts },
      );
      if (reopened) toSend.push(a);
      else results[a.index] = { ok: true, job: (await deps.store.get(existing.jobId)) ?? existing, replayed: true };
    } else {
      results[a.index] = { ok: true, job: existing, replayed: true };
    }
  } catch (error) {
    results[a.index] = { ok: false, error: unavailable('record', error) };
  }
}

async function sendAll(toSend: readonly Accepted[], deps: SubmitDeps, results: SubmitResult[]) {
  const byType = new Map<JobType, Accepted[]>();
  for (const a of toSend) byType.set(a.type, [...(byType.get(a.type) ?? []), a]);
  await Promise.all(
    [...byType].map(async ([type, accepted]) => {
      const queueUrl = deps.config.queueUrls[type.name];
      let failed: Set<string>;
      try {
        if (!queueUrl) throw new Error(`no queue URL configured for job type ${type.name}`);
        // Claim check (lambda/shared/claim-check.ts): payloads over one message are stored first; those
        // that could not be stored count as messages SQS did not take.
        const checked = deps.claimCheck
          ? await deps.claimCheck.checkBodies(accepted.map((a) => a.message))
          : { ready: accepted.map((a) => a.message), failed: new Set<string>() };
        failed = await deps.queue.send(queueUrl, checked.ready);
        for (const id of checked.failed) failed.add(id);
      } catch {
        failed = new Set(accepted.map((a) => a.message.id));
      }
      await Promise.all(
        accepted.map(async (a) => {
          if (!failed.has(a.message.id)) {
            results[a.index] = { ok: true, job: a.record, replayed: false };
            return;
          }
          results[a.index] = { ok: false, error: unavailable('queue', undefined) };
          // Leave a trace a client (and a retry with the same key) can see; losing it only loses the trace.
          await deps.store
            .transition(
              a.record.jobId,
              {
                to: 'failed',
                attempt: 0,
                error: { code: ENQUEUE_FAILED, message: 'SQS did not accept the job message.' },
              },
              { type: type.name, maxAttempts: type.queue.maxAttempts },
            )
            .catch(() => undefined);
        }),
      );
    }),
  );
}

function unavailable(what: 'record' | 'queue', cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    what === 'record'
      ? 'The job could not be recorded; nothing was queued. Retry the request.'
      : 'The job could not be queued. Retry the request with the same idempotency key.',
    cause,
  );
}
