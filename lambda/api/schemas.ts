import type { $ZodError, $ZodIssue } from 'zod/v4/core';
import { MAX_CALLBACK_URL_LENGTH } from '../shared/callback-url.js';
import { JOB_STATUSES } from '../shared/job.js';
import { QUOTED_CHARS, quote } from '../shared/quote.js';
import * as z from '../shared/zod.js';

/** Printable ASCII without spaces: safe in headers, logs and SQS attributes. */
export const token = (max: number) =>
  z
    .string()
    .check(z.minLength(1), z.maxLength(max), z.regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'));

/** An idempotency key, as the `idempotencyKey` field or the `Idempotency-Key` header carries it. */
export const idempotencyKey = token(255);

/** Body of `POST /jobs`, and each item of `POST /jobs/batch`. */
export const submitJobRequest = z.strictObject({
  /** The job type, e.g. "simulate" or "webhook.deliver". */
  type: z.string().check(z.minLength(1)),
  /** The job's input, validated against its type's schema. Defaults to {}. */
  payload: z.optional(z.unknown()),
  /** Sending the same key again returns the same job and queues nothing new. */
  idempotencyKey: z.optional(idempotencyKey),
  /** Delay before the first attempt, in seconds (standard types only). */
  delaySeconds: z.optional(z.number().check(z.int(), z.minimum(0), z.maximum(900))),
  /** FIFO types only: jobs of one group run in order. Defaults to the job id. */
  groupId: z.optional(token(128)),
  /**
   * Where to POST the job's outcome, signed, once it has `succeeded` or `failed`.
   * https; http only to a loopback host on a stack that allows private networks.
   */
  callbackUrl: z.optional(
    z
      .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
      .check(z.maxLength(MAX_CALLBACK_URL_LENGTH)),
  ),
});

/** One job in a submit request. */
export type SubmitJobRequest = z.infer<typeof submitJobRequest>;

/**
 * The option of {@link submitJobRequest} that a job type's queue has no use
 * for, and that its request must leave out: `groupId` on a standard queue,
 * `delaySeconds` on a FIFO one (SQS delays a whole FIFO queue, never one
 * message). The document leaves it out of the type's request schema.
 */
export const optionNotTaken = (fifo: boolean | undefined): 'groupId' | 'delaySeconds' =>
  fifo ? 'delaySeconds' : 'groupId';

/** Most jobs in one `POST /jobs/batch`. */
export const MAX_BATCH_JOBS = 100;

/** Body of `POST /jobs/batch`. Items are validated one by one, so one bad item does not sink the rest. */
export const submitBatchRequest = z.strictObject({
  jobs: z.array(z.unknown()).check(z.minLength(1), z.maxLength(MAX_BATCH_JOBS)),
});

/** One problem with a field, as error details list them. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

/** Most problems one error lists; a last entry counts the others. */
export const MAX_FIELD_PROBLEMS = 20;
/** Most unrecognized keys one problem names. */
const MAX_NAMED_KEYS = 5;
/** A key written as is in a problem's path; any other is quoted. */
const PLAIN_KEY = new RegExp(`^[^\\p{Cc}\\p{Z}."\\\\]{1,${QUOTED_CHARS}}$`, 'u');

/**
 * Turns zod issues into `{ path, message }` pairs with dotted paths under
 * `prefix`. A client's keys in a path or a message are quoted (escaped, and
 * cut short when long), and at most {@link MAX_FIELD_PROBLEMS} are listed, so
 * the answer stays small whatever the body held.
 */
export function fieldProblems(error: $ZodError, prefix?: string): FieldProblem[] {
  const problems = error.issues.slice(0, MAX_FIELD_PROBLEMS).map((issue) => {
    const keys = issue.path.map((key) => (typeof key === 'string' && !PLAIN_KEY.test(key) ? quote(key) : String(key)));
    const path = [prefix, ...keys].filter((p) => p !== undefined && p !== '').join('.');
    return { path: path || '(root)', message: issueMessage(issue) };
  });
  const unlisted = error.issues.length - problems.length;
  if (unlisted > 0) problems.push({ path: '(more)', message: `${unlisted} more problems, not listed` });
  return problems;
}

/** zod's message, except for unrecognized keys, which zod lists in full: a few of them, quoted. */
function issueMessage(issue: $ZodIssue): string {
  if (issue.code !== 'unrecognized_keys') return issue.message;
  const named = issue.keys.slice(0, MAX_NAMED_KEYS).map(quote).join(', ');
  const unnamed = issue.keys.length - MAX_NAMED_KEYS;
  return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${named}${unnamed > 0 ? ` and ${unnamed} more` : ''}`;
}

const jobStatus = z.enum(JOB_STATUSES);

/** `202` body of `POST /jobs`, and each accepted item of a batch. */
export const jobAcceptedResponse = z.strictObject({
  jobId: z.string(),
  type: z.string(),
  status: jobStatus,
  /** Absolute URL of `GET /jobs/{jobId}` for this job. */
  statusUrl: z.string(),
});

/** Body of every error response. */
export const errorResponseBody = z.strictObject({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.optional(z.unknown()),
  }),
});

/** `202` body of `POST /jobs/batch`: one result per item, in request order. */
export const batchAcceptedResponse = z.strictObject({
  accepted: z.number().check(z.int()),
  rejected: z.number().check(z.int()),
  results: z.array(z.union([jobAcceptedResponse, errorResponseBody])),
});

/** `200` body of `GET /jobs/{jobId}`. */
export const jobViewResponse = z.strictObject({
  jobId: z.string(),
  type: z.string(),
  status: jobStatus,
  attempts: z.number().check(z.int()),
  createdAt: z.string(),
  updatedAt: z.string(),
  result: z.optional(z.unknown()),
  /** In place of `result` when the stored result is too large to answer inline: a presigned GET URL of it. */
  resultUrl: z.optional(z.string()),
  error: z.optional(z.object({ code: z.string(), message: z.string() })),
  /** What the handler last reported through `ctx.progress`: a number (0 to 100 by convention) or an object. */
  progress: z.optional(z.union([z.number(), z.record(z.string(), z.unknown())])),
  /** Set while a running job has been asked to stop. */
  cancelRequested: z.optional(z.boolean()),
});

/** `202` body of `POST /jobs/{jobId}/cancel` for a running job: the job, and what happens next. */
export const cancelAskedResponse = z.strictObject({
  ...jobViewResponse.shape,
  message: z.string(),
});

/** Body of `POST /dlq/{type}/redrive` (optional). */
export const redriveRequest = z.strictObject({
  /** Messages per second SQS moves back; SQS picks its own rate when absent. */
  maxPerSecond: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(500))),
});

/** `202` body of `POST /dlq/{type}/redrive`. */
export const redriveAcceptedResponse = z.strictObject({
  type: z.string(),
  method: z.enum(['StartMessageMoveTask', 'manual']),
  taskHandle: z.optional(z.string()),
  requeued: z.number().check(z.int()),
  moved: z.optional(z.number().check(z.int())),
});

/** The content types `POST /uploads` presigns: what `image.thumbnail` reads. */
export const UPLOAD_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/tiff',
] as const;

/** Body of `POST /uploads`: what the client is about to upload. */
export const uploadRequest = z.strictObject({
  /** The file's media type; the upload's form must carry the same Content-Type. */
  contentType: z.enum(UPLOAD_CONTENT_TYPES),
  /** The file's exact size in bytes; S3 refuses a file of any other size. */
  contentLength: z.number().check(z.int(), z.minimum(1)),
});

/** `201` body of `POST /uploads`: a presigned POST for one file. */
export const uploadCreatedResponse = z.strictObject({
  uploadId: z.string(),
  /** The object's key, `uploads/<uploadId>`: what a job's payload names. */
  key: z.string(),
  /** Where to POST the form. */
  url: z.string(),
  /** The form's fields, to send before the file (which goes last, as the field `file`). */
  fields: z.record(z.string(), z.string()),
  /** When the presigned POST stops working. */
  expiresAt: z.string(),
});
