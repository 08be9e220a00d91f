import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody, statusFor } from '../../lambda/api/http.js';
import {
  ForbiddenError,
  MalformedJsonError,
  MalformedPathError,
  PayloadTooLargeError,
  QueueWorkersError,
  UnsupportedMediaTypeError,
} from '../../lambda/shared/errors.js';

/** The largest request body the console reads. */
const MAX_BODY_BYTES = 64 * 1024;

/** A JSON answer that no cache keeps. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * The answer for a thrown error, with the project's status codes and error body.
 * Anything else is a 500 with its message: this is a local operator's console.
 */
export function sendError(res: ServerResponse, error: unknown): void {
  if (!res.headersSent) {
    const status = error instanceof QueueWorkersError ? statusFor(error) : 500;
    res.writeHead(status, { 'content-type': 'application/json' });
  }
  const body =
    error instanceof QueueWorkersError
      ? errorBody(error)
      : { error: { code: 'INTERNAL', message: (error as Error).message } };
  res.end(JSON.stringify(body));
}

/**
 * The decoded segments of a request's path (`/ui/api/jobs/a%20b` is `ui`,
 * `api`, `jobs`, `a b`); a percent-escape that does not decode is the client's
 * mistake, a 400.
 */
export function pathSegments(pathname: string): string[] {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new MalformedPathError(pathname);
  }
}

/** The request's JSON body (`{}` when empty), at most {@link MAX_BODY_BYTES}. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new PayloadTooLargeError(size, MAX_BODY_BYTES);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedJsonError('The body is not JSON.');
  }
}

/**
 * A page on another site must not redrive through the browser of someone
 * running the dashboard: a POST must come from this origin (or no browser), and
 * be JSON, which a plain HTML form cannot send.
 */
export function checkSameOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin && origin !== `http://${req.headers.host}`) {
    throw new ForbiddenError('Cross-origin requests to the admin endpoints are refused.');
  }
  const contentType = req.headers['content-type'];
  if (!(contentType ?? '').includes('application/json')) throw new UnsupportedMediaTypeError(contentType);
}

/** `value` as an integer within [min, max]; `min` when it is not a number. */
export function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, Math.floor(value))) : min;
}
