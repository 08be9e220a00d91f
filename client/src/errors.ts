/**
 * Codes of failures the client reports itself, when there is no API error
 * body to take one from. Every other code is the API's own (`VALIDATION_ERROR`,
 * `NOT_FOUND`, ...), or API Gateway's for its responses (`ACCESS_DENIED`,
 * `THROTTLED`, ...), or `HTTP_<status>` for a body that names none.
 */
export const CLIENT_ERROR_CODES = Object.freeze({
  /** No response: the API was not reachable, or the connection broke. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** No response within the client's `timeoutMs`. */
  TIMEOUT: 'TIMEOUT',
  /** The credentials provider failed. */
  CREDENTIALS_ERROR: 'CREDENTIALS_ERROR',
  /** A success status with a body that is not the JSON the API sends. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** `get(type, jobId)` found a job of another type. */
  TYPE_MISMATCH: 'TYPE_MISMATCH',
  /** `waitFor` reached its `timeoutMs` before the job finished; `details.job` is the last view. */
  WAIT_TIMEOUT: 'WAIT_TIMEOUT',
  /** `upload`: S3 refused the presigned form (a type or size its policy does not allow, an expired form). */
  UPLOAD_REFUSED: 'UPLOAD_REFUSED',
});

/** What a {@link JobApiError} carries besides its code and message. */
export interface JobApiErrorOptions {
  /** The HTTP status; absent when no response came. */
  readonly status?: number;
  /** The API's `error.details`: the fields that failed validation, the known types, a size and its limit. */
  readonly details?: unknown;
  /** API Gateway's request id, from the error body or the `x-amzn-RequestId` header. */
  readonly requestId?: string;
  /** The response body, parsed when it is JSON, for what the other fields do not carry. */
  readonly body?: unknown;
  /** True when the same request may succeed later (429, 5xx, no response). */
  readonly retryable?: boolean;
  readonly cause?: unknown;
}

/**
 * The one error the client throws for a failed call, shaped like the API's
 * error body (`{ "error": { "code", "message", "details"? } }`) with the status
 * and request id beside it. An aborted call rejects with the signal's reason
 * instead, as `fetch` does.
 */
export class JobApiError extends Error {
  /** The API's error code, or one of {@link CLIENT_ERROR_CODES}. */
  readonly code: string;
  /** The HTTP status; `undefined` when no response came. */
  readonly status: number | undefined;
  readonly details: unknown;
  readonly requestId: string | undefined;
  readonly body: unknown;
  /** True when the same request may succeed later; the client has already retried it where that was safe. */
  readonly retryable: boolean;

  /**
   * The error for a response the API did not accept, as the client's own calls
   * throw it: for the answers of `request`, which resolves whatever the status.
   */
  static fromResponse(response: {
    readonly status: number;
    readonly body: unknown;
    readonly requestId?: string | undefined;
  }): JobApiError {
    return errorFromResponse(response.status, response.body, response.requestId);
  }

  constructor(code: string, message: string, options: JobApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'JobApiError';
    this.code = code;
    this.status = options.status;
    this.details = options.details;
    this.requestId = options.requestId;
    this.body = options.body;
    this.retryable = options.retryable ?? false;
  }
}

/** Statuses worth the same request again: throttling and server-side failures, but not 501 (never implemented). */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The error for a response the API did not accept. The code and message come
 * from the API's error body; a body in another shape (API Gateway's own
 * `{ "message" }`, a proxy's HTML) gives `HTTP_<status>` and its text.
 */
export function errorFromResponse(status: number, body: unknown, headerRequestId: string | undefined): JobApiError {
  const record = asRecord(body);
  const error = asRecord(record?.error);
  const code = stringField(error, 'code') ?? `HTTP_${status}`;
  const message =
    stringField(error, 'message') ??
    stringField(record, 'message') ??
    stringField(record, 'Message') ??
    (typeof body === 'string' && body.trim() !== '' ? body.trim().slice(0, 500) : `HTTP ${status}`);
  const requestId = stringField(error, 'requestId') ?? headerRequestId;
  return new JobApiError(code, message, {
    status,
    ...(error?.details !== undefined ? { details: error.details } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    body,
    retryable: isRetryableStatus(status),
  });
}
