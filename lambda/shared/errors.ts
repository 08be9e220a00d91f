import type { JobErrorInfo } from './job.js';
import { clip, quote } from './quote.js';

/**
 * One error hierarchy for the whole project. Logic throws these; only the API
 * adapter (`lambda/api/http.ts`) turns them into HTTP status codes, and only the
 * worker decides what a job failure means for retries.
 */

/** Context carried by errors that concern one job, as sqs-consumer carries queueUrl. */
export interface JobErrorContext {
  readonly jobId?: string;
  readonly type?: string;
  readonly attempt?: number;
}

/** Base class of every error this project throws on purpose. */
export class QueueWorkersError extends Error {
  /** A stable, machine-readable code, sent to API clients. */
  readonly code: string;
  /** Structured detail safe to show a client (field names, limits). */
  readonly details?: unknown;
  readonly context: JobErrorContext;

  constructor(
    code: string,
    message: string,
    options: { details?: unknown; cause?: unknown; context?: JobErrorContext } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueueWorkersError';
    this.code = code;
    this.details = options.details;
    this.context = options.context ?? {};
  }
}

/** A request or payload does not match its schema. `details` lists each offending field. */
export class ValidationError extends QueueWorkersError {
  constructor(message: string, details?: unknown, context?: JobErrorContext) {
    super('VALIDATION_ERROR', message, { details, ...(context ? { context } : {}) });
    this.name = 'ValidationError';
  }
}

/** The request body is not parseable JSON. */
export class MalformedJsonError extends QueueWorkersError {
  constructor(message: string) {
    super('MALFORMED_JSON', message);
    this.name = 'MalformedJsonError';
  }
}

/** The request's path has a percent-escape that does not decode (`%`, `%zz`, half a UTF-8 sequence). */
export class MalformedPathError extends QueueWorkersError {
  constructor(path: string) {
    super(
      'MALFORMED_PATH',
      `The path ${quote(path)} has a malformed percent-escape; write "%" as "%25", and escape whole UTF-8 characters.`,
    );
    this.name = 'MalformedPathError';
  }
}

/** A job type that the registry does not know. */
export class UnknownJobTypeError extends QueueWorkersError {
  constructor(type: string, known: readonly string[]) {
    super('UNKNOWN_JOB_TYPE', `Unknown job type ${quote(type)}. Known types: ${known.join(', ')}.`, {
      details: { type: clip(type), known },
    });
    this.name = 'UnknownJobTypeError';
  }
}

/** The request body exceeds the size limit. */
export class PayloadTooLargeError extends QueueWorkersError {
  constructor(size: number, limit: number) {
    super('PAYLOAD_TOO_LARGE', `Request body is ${size} bytes; the limit is ${limit} bytes.`, {
      details: { size, limit },
    });
    this.name = 'PayloadTooLargeError';
  }
}

/** The request body is not declared as JSON. */
export class UnsupportedMediaTypeError extends QueueWorkersError {
  constructor(contentType: string | undefined) {
    super(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type must be application/json; got ${contentType ? quote(contentType) : 'none'}.`,
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/**
 * A job names an upload that is not there: its key lies outside `uploads/`,
 * or no object has it (never uploaded, or expired). The request is well
 * formed, so this is a 422, not a 400; uploading first and retrying helps.
 */
export class UploadNotFoundError extends QueueWorkersError {
  constructor(key: string, reason: string) {
    super(
      'UPLOAD_NOT_FOUND',
      `No upload at ${quote(key)}: ${reason}. Upload with POST /uploads first, then submit its key.`,
      { details: { key: clip(key) } },
    );
    this.name = 'UploadNotFoundError';
  }
}

/** A job id or route that does not exist. */
export class NotFoundError extends QueueWorkersError {
  constructor(message: string, details?: unknown) {
    super('NOT_FOUND', message, { details });
    this.name = 'NotFoundError';
  }
}

/** The caller may not do this (the local dashboard refuses cross-origin writes). */
export class ForbiddenError extends QueueWorkersError {
  constructor(message: string) {
    super('FORBIDDEN', message);
    this.name = 'ForbiddenError';
  }
}

/** A route that exists, called with a method it does not accept. */
export class MethodNotAllowedError extends QueueWorkersError {
  readonly allow: readonly string[];
  constructor(method: string, path: string, allow: readonly string[]) {
    super('METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}; use ${allow.join(', ')}.`);
    this.name = 'MethodNotAllowedError';
    this.allow = allow;
  }
}

/** An idempotency key reused with a different request. */
export class IdempotencyConflictError extends QueueWorkersError {
  constructor(jobId: string) {
    super(
      'IDEMPOTENCY_CONFLICT',
      'This idempotency key was already used with a different request; use a new key for a new job.',
      { details: { jobId }, context: { jobId } },
    );
    this.name = 'IdempotencyConflictError';
  }
}

/** A job that cannot be cancelled: it has already finished. */
export class JobFinishedError extends QueueWorkersError {
  constructor(jobId: string, status: string) {
    super('JOB_FINISHED', `The job is already ${status}; only a queued, retrying or running job can be cancelled.`, {
      details: { jobId, status },
      context: { jobId },
    });
    this.name = 'JobFinishedError';
  }
}

/**
 * The reason a job's abort signal fires when someone cancelled it while it
 * ran. A handler that stops because of it ends the job `cancelled`.
 */
export class CancelledError extends QueueWorkersError {
  constructor(message = 'The job was cancelled while it ran.') {
    super('CANCELLED', message);
    this.name = 'CancelledError';
  }
}

/**
 * A dependency (SQS, DynamoDB) failed, so the job was not accepted. The client
 * may retry the same request with the same idempotency key.
 */
export class ServiceUnavailableError extends QueueWorkersError {
  constructor(message: string, cause?: unknown) {
    super('SERVICE_UNAVAILABLE', message, { cause });
    this.name = 'ServiceUnavailableError';
  }
}

/**
 * Thrown by a job handler to say that retrying cannot help (a 4xx from a
 * webhook target, a payload that can never work). The job goes to `failed` at once.
 */
export class NonRetryableError extends QueueWorkersError {
  /** @param options.code - a more precise code for the job's error than NON_RETRYABLE, kept on the job and in the DLQ. */
  constructor(message: string, options: { cause?: unknown; context?: JobErrorContext; code?: string } = {}) {
    const { code = 'NON_RETRYABLE', ...rest } = options;
    super(code, message, rest);
    this.name = 'NonRetryableError';
  }
}

/** What a private address is, as {@link PrivateAddressError} names it. */
export type PrivateAddressKind = 'loopback' | 'private' | 'link-local' | 'unspecified';

/**
 * A webhook or callback URL that names, or resolves to, an address of a
 * private network (loopback, RFC 1918 or unique-local, link-local such as the
 * instance metadata service, unspecified), which a deployed stack refuses to
 * call unless it allows private networks. Retrying cannot help.
 */
export class PrivateAddressError extends NonRetryableError {
  readonly host: string;
  readonly address: string;
  readonly kind: PrivateAddressKind;

  constructor(host: string, address: string, kind: PrivateAddressKind) {
    const resolved = host === address ? address : `${host} (resolved to ${address})`;
    super(
      `Refused to call ${resolved}: a ${kind} address. This stack does not call private networks; deploy it with allowPrivateNetworks to allow them.`,
      { code: 'PRIVATE_ADDRESS' },
    );
    this.name = 'PrivateAddressError';
    this.host = host;
    this.address = address;
    this.kind = kind;
  }
}

/** Thrown by a job handler for a failure worth retrying (a 5xx, a timeout). */
export class RetryableError extends QueueWorkersError {
  constructor(message: string, options: { cause?: unknown; context?: JobErrorContext } = {}) {
    super('RETRYABLE', message, options);
    this.name = 'RetryableError';
  }
}

/** SQS refused StartMessageMoveTask because it does not implement it (emulators). */
export class RedriveUnsupportedError extends QueueWorkersError {
  constructor(cause: unknown) {
    super('REDRIVE_UNSUPPORTED', 'This SQS endpoint does not implement StartMessageMoveTask.', { cause });
    this.name = 'RedriveUnsupportedError';
  }
}

/** SQS refused the move task (one is already running, the queue is no DLQ); its reason is in the message. */
export class RedriveRefusedError extends QueueWorkersError {
  constructor(type: string, reason: string, cause: unknown) {
    super('REDRIVE_REFUSED', `SQS refused to redrive the ${type} dead-letter queue: ${reason}`, { cause });
    this.name = 'RedriveRefusedError';
  }
}

/** Configuration is missing or invalid at cold start. */
export class ConfigError extends QueueWorkersError {
  constructor(message: string) {
    super('CONFIG_ERROR', message);
    this.name = 'ConfigError';
  }
}

/** True when a job failure must not be retried. */
export function isNonRetryable(error: unknown): boolean {
  return error instanceof NonRetryableError || error instanceof ValidationError;
}

/**
 * A job attempt cut short because the worker's Lambda deadline was near: the
 * abort signal fired, or the handler did not settle before it. Retryable.
 */
export class DeadlineExceededError extends QueueWorkersError {
  constructor(message = 'The worker reached its deadline before the job finished.', context?: JobErrorContext) {
    super('DEADLINE_EXCEEDED', message, context ? { context } : {});
    this.name = 'DeadlineExceededError';
  }
}

/**
 * A job that used every attempt without an outcome of its own: its worker
 * stopped during the last one (a crash, a timeout, running out of memory), or
 * the last receive was never started. The job is `failed` and its message is in
 * the dead-letter queue, from where it can be redriven.
 */
export class DeadLetteredError extends QueueWorkersError {
  constructor(message: string, context?: JobErrorContext) {
    super('DEAD_LETTERED', message, context ? { context } : {});
    this.name = 'DeadLetteredError';
  }
}

/**
 * A record that the worker did not start (deadline, or an earlier job of its
 * FIFO group failed). It is reported as a batch item failure and comes back as is.
 */
export class NotStartedError extends QueueWorkersError {
  constructor(message: string, context?: JobErrorContext) {
    super('NOT_STARTED', message, context ? { context } : {});
    this.name = 'NotStartedError';
  }
}

/** A failure as the job table and the DLQ attributes hold it: code and message, never a stack. */
export function errorInfo(error: unknown): JobErrorInfo {
  if (error instanceof QueueWorkersError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name || 'Error', message: error.message };
  return { code: 'Error', message: String(error) };
}
