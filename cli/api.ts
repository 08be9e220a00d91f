import type { SignatureV4 } from '@smithy/signature-v4';
import { CliError, EXIT } from './errors.js';

/** A JSON response of the job API. */
export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** How a call proves who makes it: nothing (local runtime), SigV4 (IAM auth), or extra headers (an API key). */
export interface ApiAuth {
  readonly signer?: SignatureV4;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The headers to send, signed when `auth` has a signer; `host` is left for fetch to set. */
async function requestHeaders(url: URL, method: string, text: string | undefined, auth: ApiAuth) {
  let headers: Record<string, string> = {
    host: url.host,
    ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
    ...auth.headers,
  };
  if (auth.signer) {
    const signed = await auth.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: decodeURIComponent(url.pathname),
      query: Object.fromEntries(url.searchParams),
      headers,
      ...(text !== undefined ? { body: text } : {}),
    });
    headers = signed.headers as Record<string, string>;
  }
  const { host: _host, ...send } = headers;
  return send;
}

/**
 * Calls the job API: plain on the local runtime, SigV4-signed (IAM auth) or
 * with an API key elsewhere. An unreachable API is NO_TARGET, a 403
 * NO_PERMISSION; every other status is the caller's to judge.
 */
export async function callApi(url: string, method: string, body: unknown, auth: ApiAuth = {}): Promise<ApiResponse> {
  const target = new URL(url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = await requestHeaders(target, method, text, auth);
  let res: Response;
  try {
    res = await fetch(target, {
      method,
      headers,
      ...(text !== undefined ? { body: text } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliError(EXIT.NO_TARGET, `The job API at ${target.origin} is not reachable: ${(error as Error).message}`);
  }
  const raw = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  } catch {
    parsed = { message: raw };
  }
  if (res.status === 403) {
    const message = (parsed.message as string | undefined) ?? (parsed.Message as string | undefined) ?? raw;
    throw new CliError(
      EXIT.NO_PERMISSION,
      `The job API refused the call (403): ${message}`,
      'The API uses IAM auth by default: your credentials need execute-api:Invoke; with -c auth=apiKey pass --api-key.',
    );
  }
  return { status: res.status, body: parsed };
}

/** The exit code and message for an API rejection, by the API's error code. */
export function apiRejection(status: number, body: Record<string, unknown>, what: string): CliError {
  const error = (body.error ?? {}) as { code?: string; message?: string; details?: unknown };
  const message = error.message ?? (body.message as string | undefined) ?? `HTTP ${status}`;
  const details = error.details ? `\n  details: ${JSON.stringify(error.details)}` : '';
  const code =
    error.code === 'UNKNOWN_JOB_TYPE' || status === 404 ? EXIT.NOT_FOUND : status >= 500 ? EXIT.ERROR : EXIT.REFUSED;
  return new CliError(code, `${what} (${status}${error.code ? ` ${error.code}` : ''}): ${message}${details}`);
}
