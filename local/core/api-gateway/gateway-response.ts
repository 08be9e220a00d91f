import type { InvokeResult } from '../functions/invoke-result.js';
import type { RestApiDef } from '../plan.js';

/** A response as API Gateway sends it to the client. */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

/** The answers API Gateway gives itself, with their response type and default status. */
export const GATEWAY_ERRORS = {
  missingAuthenticationToken: {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    status: 403,
    message: 'Missing Authentication Token',
    exception: 'MissingAuthenticationTokenException',
  },
  requestTooLarge: {
    type: 'REQUEST_TOO_LARGE',
    status: 413,
    message: 'Request Too Long',
    exception: 'RequestEntityTooLargeException',
  },
  badRequest: { type: 'DEFAULT_4XX', status: 400, message: 'Bad Request', exception: 'BadRequestException' },
  integrationFailure: {
    type: 'DEFAULT_5XX',
    status: 502,
    message: 'Internal server error',
    exception: 'InternalServerErrorException',
  },
  integrationTimeout: {
    type: 'INTEGRATION_TIMEOUT',
    status: 504,
    message: 'Endpoint request timed out',
    exception: 'InternalServerErrorException',
  },
  notServed: {
    type: 'API_CONFIGURATION_ERROR',
    status: 500,
    message: 'Internal server error',
    exception: 'InternalServerErrorException',
  },
} as const;

/** One of {@link GATEWAY_ERRORS}. */
export type GatewayError = (typeof GATEWAY_ERRORS)[keyof typeof GATEWAY_ERRORS];

/**
 * An answer API Gateway gives itself, without the function: the API's gateway
 * response for its type (or DEFAULT_4XX/DEFAULT_5XX) when the template
 * declares one, rendered with the error's type, message and request id;
 * otherwise API Gateway's own `{ "message" }`.
 */
export function gatewayError(
  api: RestApiDef | undefined,
  error: GatewayError,
  requestId: string,
  extra: Record<string, string> = {},
): GatewayResponse {
  const custom =
    api?.gatewayResponses[error.type] ?? api?.gatewayResponses[error.status < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX'];
  const template = custom?.templates['application/json'];
  const body = template ? renderTemplate(template, error, requestId) : JSON.stringify({ message: error.message });
  return {
    statusCode: custom?.statusCode ?? error.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-RequestId': requestId,
      'x-amzn-ErrorType': error.exception,
      ...custom?.headers,
      ...extra,
    },
    body: Buffer.from(body),
  };
}

/** The few `$context` variables a gateway response template uses, filled in as API Gateway would. */
function renderTemplate(template: string, error: GatewayError, requestId: string): string {
  return template
    .replaceAll('$context.error.messageString', JSON.stringify(error.message))
    .replaceAll('$context.error.message', error.message)
    .replaceAll('$context.error.responseType', error.type)
    .replaceAll('$context.requestId', requestId);
}

/**
 * The client's response for an invocation result, as API Gateway builds it from
 * a proxy integration: statusCode, headers merged with multiValueHeaders, and the
 * body decoded from base64 when isBase64Encoded. An error, a timeout or a
 * malformed result is a 502, as on AWS.
 */
export function toGatewayResponse(result: InvokeResult, requestId: string, api?: RestApiDef): GatewayResponse {
  if (!result.ok) {
    return gatewayError(
      api,
      result.timedOut ? GATEWAY_ERRORS.integrationTimeout : GATEWAY_ERRORS.integrationFailure,
      requestId,
    );
  }
  const p = result.payload as Record<string, unknown> | null;
  const statusCode = Number(p?.statusCode);
  const malformed =
    !p ||
    typeof p !== 'object' ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599 ||
    (p.body !== undefined && p.body !== null && typeof p.body !== 'string');
  if (malformed) return gatewayError(api, GATEWAY_ERRORS.integrationFailure, requestId);
  const headers: Record<string, string | string[]> = Object.create(null);
  const add = (k: string, v: unknown) => {
    const key = k.toLowerCase();
    const values = (Array.isArray(v) ? v : [v]).map(String);
    const prior = headers[key];
    headers[key] = prior === undefined ? values : [...(Array.isArray(prior) ? prior : [prior]), ...values];
  };
  for (const [k, v] of Object.entries((p.multiValueHeaders as Record<string, unknown[]> | undefined) ?? {})) add(k, v);
  for (const [k, v] of Object.entries((p.headers as Record<string, unknown> | undefined) ?? {})) {
    // A name in both maps takes the single-value one, as API Gateway does.
    delete headers[k.toLowerCase()];
    add(k, v);
  }
  headers['x-amzn-requestid'] = requestId;
  const text = (p.body as string | undefined) ?? '';
  const body = p.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
  return { statusCode, headers, body };
}
