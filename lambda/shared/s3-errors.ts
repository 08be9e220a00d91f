/**
 * What an S3 call's failure means for a job: the object is not there, the
 * call may work if tried again (throttling, a 5xx, a timeout, the network), or
 * S3 refused it in a way that another try will not change.
 */
export type S3FailureKind = 'missing' | 'retryable' | 'refused';

/** Error names S3 and the SDK give to failures that a later attempt may not meet. */
const RETRYABLE_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InternalError',
  'ServiceUnavailable',
  'AbortError',
]);

/** Node's socket errors: the connection, not the request, failed. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $retryable?: unknown;
}

/**
 * Classifies an S3 failure. The SDK has already retried throttles and 5xx a
 * few times when it gets here, so `retryable` means "worth a job retry, after
 * a backoff". A read of a missing key is `missing` whether S3 answers 404
 * (the caller may list the bucket) or 403 (it may not, as no function here
 * may): S3 does not tell the two apart for such callers.
 */
export function s3FailureKind(error: unknown, operation: 'read' | 'write'): S3FailureKind {
  const e = (error ?? {}) as SdkError;
  const status = e.$metadata?.httpStatusCode;
  if (e.name === 'NoSuchKey' || e.name === 'NotFound' || status === 404) return 'missing';
  if (operation === 'read' && (e.name === 'AccessDenied' || e.name === 'Forbidden' || status === 403)) {
    return 'missing';
  }
  if (e.$retryable || RETRYABLE_NAMES.has(e.name ?? '') || NETWORK_CODES.has(e.code ?? '')) return 'retryable';
  if (status === undefined || status >= 500 || status === 408 || status === 429) return 'retryable';
  return 'refused';
}
