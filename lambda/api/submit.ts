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
import { type JobMessage, type JobRecord, MAX_MESSAGE_BYTES } from '../shared/job.js';
import { hashedJobId } from '../shared/job-id.js';
import type { JobStore } from '../shared/job-store.js';
import * as z from '../shared/zod.js';
import type { JobQueue, OutgoingMessage } from './enqueue.js';
import { fieldProblems, optionNotTaken, type SubmitJobRequest, submitJobRequest } from './schemas.js';

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
  /**
   * Called after each step of a submission that did something, before the
   * next: the test-only fault point that ends the execution environment there
   * (see `step-fault.ts`). @default none
   */
  readonly afterStep?: (step: SubmitStep) => void;
}

/**
 * The steps of a submission, in order: its messages are `queued`, then its
 * records are `recorded`, then it is answered.
 */
export type SubmitStep = 'queued' | 'recorded';

/** The outcome for one submitted job, in request order. */
export type SubmitResult =
  | { readonly ok: true; readonly job: JobRecord; readonly replayed: boolean }
  | { readonly ok: false; readonly error: QueueWorkersError };

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
  // A callback URL joins the hash only when sent, so jobs recorded before callbacks existed keep their hash.
  const hashed = [type.name, payload.data, request.delaySeconds ?? 0, request.groupId ?? null];
  if (request.callbackUrl !== undefined) hashed.push(request.callbackUrl);
  const requestHash = createHash('sha256').update(JSON.stringify(hashed)).digest('base64url');
  const origin = {
    createdAt,
    requestHash,
    ...(key !== undefined ? { idempotencyKey: key } : {}),
    ...(request.callbackUrl !== undefined ? { callbackUrl: request.callbackUrl } : {}),
  };
  // The message carries the job's origin: a worker that finds no record writes it from the message.
  const body: JobMessage = { jobId, type: type.name, payload: payload.data, ...origin };
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

  const record: JobRecord = {
    jobId,
    type: type.name,
    status: 'queued',
    attempts: 0,
    maxAttempts: type.queue.maxAttempts,
    updatedAt: createdAt,
    ...origin,
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
  const option = optionProblem(request, type);
  if (option) return option;
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
 * The request's option that its job type's queue does not take (`groupId` on a
 * standard queue, `delaySeconds` on a FIFO one), named; checked before a
 * precheck too (`admission.ts`).
 */
export function optionProblem(request: SubmitJobRequest, type: JobType): ValidationError | undefined {
  const option = optionNotTaken(type.queue.fifo);
  if (request[option] === undefined) return undefined;
  return type.queue.fifo
    ? new ValidationError(`Job type "${type.name}" runs on a FIFO queue, which has no per-job delay.`, [
        { path: option, message: 'not supported for FIFO job types' },
      ])
    : new ValidationError(`groupId orders jobs on FIFO queues; job type "${type.name}" is not FIFO.`, [
        { path: option, message: 'only for FIFO job types' },
      ]);
}

/**
 * Validates, queues and records jobs; each item succeeds or fails on its own.
 *
 * The message is sent before the record is written, so a record never says
 * `queued` without a message behind it, whenever the API stops:
 * - before the send, nothing exists, and a retry starts afresh;
 * - between the send and the record, the message carries the job's origin,
 *   and the worker's first write of the job creates the record from it; a
 *   retry with the same key sends the message again, at worst a duplicate the
 *   worker never runs after the job finished;
 * - after the record, a retry with the key is answered from the record.
 *
 * A keyed job is looked up before anything is sent, so a replay sends nothing
 * and a reused key with another request is a 409 with nothing queued. The
 * happy path writes the table once per job, as before: the record.
 */
export async function submitJobs(
  items: readonly unknown[],
  deps: SubmitDeps,
  headerKey?: string,
): Promise<SubmitResult[]> {
  const now = (deps.now ?? (() => new Date()))();
  const results: SubmitResult[] = new Array(items.length);
  const prepared: Accepted[] = [];
  items.forEach((raw, index) => {
    const item = prepare(raw, index, deps, now, headerKey);
    if ('record' in item) prepared.push(item);
    else results[index] = { ok: false, error: item };
  });
  const { fresh, repeats } = await lookUpKeys(prepared, deps, results);
  const queued = await sendAll(fresh, deps, results);
  if (queued.length > 0) deps.afterStep?.('queued');
  await Promise.all(queued.map((a) => recordQueued(a, deps, results)));
  if (queued.length > 0) deps.afterStep?.('recorded');
  for (const { item, first } of repeats) results[item.index] = repeatResult(item, first, results);
  return results;
}

/** An item whose idempotency key an earlier item of the same request carries. */
interface Repeat {
  readonly item: Accepted;
  readonly first: Accepted;
}

/**
 * Splits the items into those to send (in request order, so a FIFO group keeps
 * its order) and repeats of a key earlier in the request. The first item of
 * each key is looked up: a record found answers it now, as a replay or a
 * conflict, and nothing is sent for it.
 */
async function lookUpKeys(
  items: readonly Accepted[],
  deps: SubmitDeps,
  results: SubmitResult[],
): Promise<{ fresh: Accepted[]; repeats: Repeat[] }> {
  const firsts = new Map<string, Accepted>();
  const repeats: Repeat[] = [];
  const unseen = new Set<Accepted>();
  for (const item of items) {
    const key = item.record.idempotencyKey;
    const first = key === undefined ? undefined : firsts.get(key);
    if (first) repeats.push({ item, first });
    else if (key !== undefined) firsts.set(key, item);
  }
  await Promise.all(
    [...firsts.values()].map(async (item) => {
      try {
        const existing = await deps.store.get(item.record.jobId);
        if (existing) results[item.index] = answerFromRecord(item, existing, true);
        else unseen.add(item);
      } catch (error) {
        results[item.index] = { ok: false, error: unavailable('lookup', error) };
      }
    }),
  );
  const fresh = items.filter((item) => item.record.idempotencyKey === undefined || unseen.has(item));
  return { fresh, repeats };
}

/** The answer for a job whose record exists: the same request is that job; another is a conflict. */
function answerFromRecord(item: Accepted, existing: JobRecord, replayed: boolean): SubmitResult {
  if (existing.requestHash !== item.record.requestHash) {
    return { ok: false, error: new IdempotencyConflictError(existing.jobId) };
  }
  return { ok: true, job: existing, replayed };
}

/** A repeat of a key within one request: the first item's job if it is the same request, else a conflict. */
function repeatResult(item: Accepted, first: Accepted, results: readonly SubmitResult[]): SubmitResult {
  const outcome = results[first.index];
  if (outcome?.ok) return answerFromRecord(item, outcome.job, true);
  if (item.record.requestHash !== first.record.requestHash) {
    return { ok: false, error: new IdempotencyConflictError(first.record.jobId) };
  }
  return outcome ?? { ok: false, error: unavailable('queue', undefined) };
}

/**
 * Writes the record of a job whose message SQS took. The write is conditional:
 * its worker may have written the record from the message first, or another
 * request with the same key may have.
 */
async function recordQueued(item: Accepted, deps: SubmitDeps, results: SubmitResult[]): Promise<void> {
  try {
    const outcome = await deps.store.create(item.record);
    results[item.index] = outcome.created
      ? { ok: true, job: item.record, replayed: false }
      : answerFromRecord(item, outcome.existing, false);
  } catch (error) {
    results[item.index] = { ok: false, error: unavailable('record', error) };
  }
}

/**
 * Sends each type's messages (payloads over one message go to the bucket
 * first) and returns the items SQS took; the others are answered 503, with
 * nothing recorded.
 */
async function sendAll(items: readonly Accepted[], deps: SubmitDeps, results: SubmitResult[]): Promise<Accepted[]> {
  const byType = new Map<JobType, Accepted[]>();
  for (const a of items) byType.set(a.type, [...(byType.get(a.type) ?? []), a]);
  const sent = await Promise.all(
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
      for (const a of accepted) {
        if (failed.has(a.message.id)) results[a.index] = { ok: false, error: unavailable('queue', undefined) };
      }
      return accepted.filter((a) => !failed.has(a.message.id));
    }),
  );
  return sent.flat();
}

const UNAVAILABLE = {
  lookup: 'The job store did not answer; nothing was queued. Retry the request.',
  queue: 'The job could not be queued; nothing was recorded. Retry the request.',
  record:
    'The job was queued but its record could not be written, so it may still run. Retry with the same idempotency key to learn its id; a retry without one may run it twice.',
} as const;

function unavailable(what: keyof typeof UNAVAILABLE, cause: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(UNAVAILABLE[what], cause);
}
