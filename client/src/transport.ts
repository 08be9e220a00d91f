import type { Authorizer } from './auth.js';
import { CLIENT_ERROR_CODES, isRetryableStatus, JobApiError } from './errors.js';
import { type RetryPolicy, retryAfterMs, retryDelayMs, sleep } from './retry.js';

/** The `fetch` the client calls; the global one unless the options give another (a proxy agent, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** A call to the job API. */
export interface ApiRequest {
  /** `GET` and `POST` for the API's routes; any other is sent as it is (and answered 405). */
  readonly method: string;
  /** The route under the API's base URL, with its leading slash and path parameters encoded: `/jobs/abc`. */
  readonly path: string;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** True when sending the request twice cannot do anything twice (a read, or a submission with a key). */
  readonly idempotent: boolean;
  readonly signal?: AbortSignal;
}

/** A response of the job API, whatever its status. */
export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, parsed when it is JSON, else its text; `undefined` when empty. */
  readonly body: unknown;
  /** API Gateway's request id (`x-amzn-RequestId`), for a support ticket or the access log. */
  readonly requestId?: string;
}

/** What a transport needs: where, as whom, and how patiently. */
export interface TransportConfig {
  /** The API's base URL, without a trailing slash. */
  readonly baseUrl: string;
  readonly authorize: Authorizer;
  readonly fetch: FetchLike;
  readonly retry: RetryPolicy;
  /** Per attempt; 0 for none. */
  readonly timeoutMs: number;
  /** Jitter source; tests pass their own. */
  readonly random: () => number;
}

/** Sends requests with auth, a timeout per attempt, and retries where {@link ApiRequest.idempotent} allows. */
export type Transport = (request: ApiRequest) => Promise<ApiResponse>;

/** `AbortSignal.any` where the runtime has it (Node 20.3+, current browsers); a listener pair elsewhere. */
function eitherSignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  if (!a) return b;
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const controller = new AbortController();
  const forward = (source: AbortSignal) => () => controller.abort(source.reason);
  a.addEventListener('abort', forward(a), { once: true });
  b.addEventListener('abort', forward(b), { once: true });
  return controller.signal;
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** One attempt: sign, send, read. A failure without a response is a retryable {@link JobApiError}. */
async function attempt(config: TransportConfig, request: ApiRequest, text: string | undefined): Promise<ApiResponse> {
  request.signal?.throwIfAborted();
  const url = `${config.baseUrl}${request.path}`;
  const headers = await config.authorize({
    method: request.method,
    url,
    headers: { ...(text !== undefined ? { 'content-type': 'application/json' } : {}), ...request.headers },
    ...(text !== undefined ? { body: text } : {}),
  });
  // A timer cleared once the body is read, rather than AbortSignal.timeout: at thousands of requests a
  // second, that would keep each request's 30-second timer alive long after its answer. Without a
  // timeout and a caller's signal, fetch gets no signal at all: undici's abort handling is most of
  // what a request through the client costs over a bare fetch.
  const timeout = config.timeoutMs > 0 ? new AbortController() : undefined;
  const timer = timeout ? setTimeout(() => timeout.abort(), config.timeoutMs) : undefined;
  const signal = timeout ? eitherSignal(request.signal, timeout.signal) : request.signal;
  try {
    const res = await config.fetch(url, {
      method: request.method,
      headers,
      ...(text !== undefined ? { body: text } : {}),
      ...(signal ? { signal } : {}),
    });
    const requestId = res.headers.get('x-amzn-requestid') ?? undefined;
    const body = parseBody(await res.text());
    return { status: res.status, headers: res.headers, body, ...(requestId ? { requestId } : {}) };
  } catch (error) {
    if (request.signal?.aborted) throw request.signal.reason;
    const timedOut = timeout?.signal.aborted === true;
    const where = new URL(url).origin;
    throw new JobApiError(
      timedOut ? CLIENT_ERROR_CODES.TIMEOUT : CLIENT_ERROR_CODES.NETWORK_ERROR,
      timedOut
        ? `${request.method} ${request.path}: no response from ${where} within ${config.timeoutMs} ms`
        : `${request.method} ${request.path}: ${where} is not reachable (${describe(error)})`,
      { cause: error, retryable: true },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** `fetch failed: ECONNREFUSED`: the error's message with what Node keeps in its cause (a system code, or a reason). */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const why = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof why === 'string' && why !== '' ? `${message}: ${why}` : message;
}

/**
 * A transport over `config`. Retries 429, 5xx (but 501) and failures without a
 * response, with backoff and jitter, and only for idempotent requests: anything
 * else is sent once, so nothing is ever done twice by the client's own doing.
 */
export function createTransport(config: TransportConfig): Transport {
  return async (request) => {
    const text = request.body === undefined ? undefined : JSON.stringify(request.body);
    const retries = request.idempotent ? config.retry.retries : 0;
    for (let retry = 0; ; retry++) {
      let response: ApiResponse;
      try {
        response = await attempt(config, request, text);
      } catch (error) {
        if (!(error instanceof JobApiError) || !error.retryable || retry >= retries) throw error;
        await sleep(retryDelayMs(config.retry, retry, config.random), request.signal);
        continue;
      }
      if (retry >= retries || !isRetryableStatus(response.status)) return response;
      const after = retryAfterMs(response.headers.get('retry-after'), Date.now());
      await sleep(retryDelayMs(config.retry, retry, config.random, after), request.signal);
    }
  };
}
