import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  ConfigError,
  ForbiddenError,
  IdempotencyConflictError,
  JobFinishedError,
  MalformedJsonError,
  MalformedPathError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  QueueWorkersError,
  RedriveRefusedError,
  RedriveUnsupportedError,
  ServiceUnavailableError,
  UnknownJobTypeError,
  UnsupportedMediaTypeError,
  UploadNotFoundError,
  ValidationError,
} from '../shared/errors.js';

/** The one place errors become HTTP status codes. */
export function statusFor(error: QueueWorkersError): number {
  if (
    error instanceof ValidationError ||
    error instanceof MalformedJsonError ||
    error instanceof MalformedPathError ||
    error instanceof UnknownJobTypeError
  ) {
    return 400;
  }
  if (error instanceof ForbiddenError) return 403;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof MethodNotAllowedError) return 405;
  if (
    error instanceof IdempotencyConflictError ||
    error instanceof RedriveRefusedError ||
    error instanceof JobFinishedError
  )
    return 409;
  if (error instanceof RedriveUnsupportedError) return 501;
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof UnsupportedMediaTypeError) return 415;
  if (error instanceof UploadNotFoundError) return 422;
  if (error instanceof ServiceUnavailableError) return 503;
  if (error instanceof ConfigError) return 500;
  return 500;
}

/** The JSON error body every failure uses: `{ error: { code, message, details? } }`. */
export function errorBody(error: QueueWorkersError): { error: { code: string; message: string; details?: unknown } } {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    },
  };
}

const BASE_HEADERS = { 'content-type': 'application/json', 'cache-control': 'no-store' } as const;

/** A JSON response. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyResult {
  return { statusCode, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/**
 * The response for any thrown value. Known errors keep their message; anything
 * else is logged by the caller and answered with a generic 500, so no stack or
 * SDK message reaches a client.
 */
export function errorResponse(error: unknown, requestId: string): APIGatewayProxyResult {
  if (error instanceof QueueWorkersError && !(error instanceof ConfigError)) {
    const headers: Record<string, string> = {};
    if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
    if (error instanceof ServiceUnavailableError) headers['retry-after'] = '1';
    return json(statusFor(error), errorBody(error), headers);
  }
  return json(500, { error: { code: 'INTERNAL_ERROR', message: `Internal error; request id ${requestId}.` } });
}

/** Header lookup that ignores case, as HTTP does. */
export function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) {
    if (k.toLowerCase() === wanted && v !== undefined) return v;
  }
  return undefined;
}

/**
 * Deepest nesting of arrays and objects a body may have. Validators walk a
 * value recursively; without a bound, a body nested tens of thousands deep
 * overflows the stack, a 500 for what is a client's mistake.
 */
export const MAX_JSON_DEPTH = 64;

/** True when `value` nests arrays and objects deeper than `limit`; walks without recursion. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > limit) return true;
    for (const child of Object.values(item.value)) stack.push({ value: child, depth });
  }
  return false;
}

/**
 * The request body as parsed JSON, after the size, media-type and nesting
 * checks. Throws the matching {@link QueueWorkersError} for a client's mistake.
 */
export function readJsonBody(event: APIGatewayProxyEvent, limitBytes: number): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > limitBytes) throw new PayloadTooLargeError(bytes.length, limitBytes);
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(contentType);
  }
  if (bytes.length === 0) throw new MalformedJsonError('The request body is empty; send a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new MalformedJsonError(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw new ValidationError(`The request body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`, [
      { path: '(root)', message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  }
  return parsed;
}

/**
 * The absolute URL of a job, built from the request's own host and base path,
 * so it is right behind a stage, a custom domain or an emulator's URL scheme.
 */
export function jobUrl(event: APIGatewayProxyEvent, jobId: string): string {
  const host = header(event, 'host') ?? event.requestContext.domainName ?? 'localhost';
  const proto = header(event, 'x-forwarded-proto') ?? 'https';
  const fullPath = event.requestContext.path ?? event.path;
  const base = fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : '';
  return `${proto}://${host}${base}/jobs/${encodeURIComponent(jobId)}`;
}
