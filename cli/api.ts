import {
  CLIENT_ERROR_CODES,
  createJobClient,
  JobApiError,
  type JobClient,
  type JobClientAuth,
} from '@queue-workers/client';
import { CliError, EXIT } from './errors.js';

/** A JSON response of the job API. */
export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * The job API at `url`, through `@queue-workers/client`, with the auth the
 * target needs: nothing (local runtime), SigV4 (IAM auth) or an API key.
 * Without the registry's types: `qw` takes any type and payload from its
 * command line, and the API judges them.
 */
export function jobApi(url: string, auth: JobClientAuth): JobClient {
  return createJobClient({ url, auth });
}

const IAM_HINT =
  'The API uses IAM auth by default: your credentials need execute-api:Invoke; with -c auth=apiKey pass --api-key.';

/** The exit code and message for an API rejection, by the API's error code. */
export function apiRejection(status: number, body: Record<string, unknown>, what: string): CliError {
  const error = (body.error ?? {}) as { code?: string; message?: string; details?: unknown };
  const message = error.message ?? (body.message as string | undefined) ?? `HTTP ${status}`;
  const details = error.details ? `\n  details: ${JSON.stringify(error.details)}` : '';
  const code =
    error.code === 'UNKNOWN_JOB_TYPE' || status === 404 ? EXIT.NOT_FOUND : status >= 500 ? EXIT.ERROR : EXIT.REFUSED;
  return new CliError(code, `${what} (${status}${error.code ? ` ${error.code}` : ''}): ${message}${details}`);
}

/** A response body as {@link apiRejection} reads it: JSON as it is, text as its message. */
function bodyRecord(body: unknown): Record<string, unknown> {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  return typeof body === 'string' && body !== '' ? { message: body } : {};
}

/**
 * The CLI error for a failed call of the job API (`what` says which): no
 * answer is NO_TARGET, a 403 or missing credentials NO_PERMISSION, and every
 * other rejection goes by the API's code ({@link apiRejection}).
 */
export function fromApiError(error: unknown, what: string, api: JobClient): CliError {
  if (error instanceof CliError) return error;
  if (!(error instanceof JobApiError)) {
    return new CliError(EXIT.ERROR, `${what}: ${(error as Error)?.message ?? String(error)}`, undefined, {
      cause: error,
    });
  }
  if (error.code === CLIENT_ERROR_CODES.NETWORK_ERROR || error.code === CLIENT_ERROR_CODES.TIMEOUT) {
    const cause = error.cause instanceof Error ? error.cause.message : error.message;
    return new CliError(
      EXIT.NO_TARGET,
      `The job API at ${new URL(api.url).origin} is not reachable: ${cause}`,
      undefined,
      {
        cause: error,
      },
    );
  }
  if (error.code === CLIENT_ERROR_CODES.CREDENTIALS_ERROR) {
    return new CliError(EXIT.NO_PERMISSION, `${what}: ${error.message}`, IAM_HINT, { cause: error });
  }
  if (error.status === 403) {
    return new CliError(EXIT.NO_PERMISSION, `The job API refused the call (403): ${error.message}`, IAM_HINT, {
      cause: error,
    });
  }
  return apiRejection(error.status ?? 0, bodyRecord(error.body), what);
}

/**
 * Calls a route of the job API by its path, and returns the status and body
 * whatever the status; the commands use the client's methods, this is for the
 * rest. An unreachable API is NO_TARGET, a 403 NO_PERMISSION.
 */
export async function callApi(
  api: JobClient,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  const what = `${method} ${path}`;
  let res: Awaited<ReturnType<JobClient['request']>>;
  try {
    res = await api.request(method, path, body === undefined ? {} : { body });
  } catch (error) {
    throw fromApiError(error, what, api);
  }
  if (res.status === 403) throw fromApiError(JobApiError.fromResponse(res), what, api);
  return { status: res.status, body: bodyRecord(res.body) };
}
