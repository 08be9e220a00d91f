import type { InvokeResult } from '../functions/invoke-result.js';

/** A response as API Gateway sends it to the client. */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

/** An answer API Gateway gives itself, without the function: `{ message }` as JSON. */
export function gatewayError(statusCode: number, message: string, extra: Record<string, string> = {}): GatewayResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...extra },
    body: Buffer.from(JSON.stringify({ message })),
  };
}

/**
 * The client's response for an invocation result, as API Gateway builds it from
 * a proxy integration: statusCode, headers merged with multiValueHeaders, and the
 * body decoded from base64 when isBase64Encoded. An error, a timeout or a
 * malformed result is a 502, as on AWS.
 */
export function toGatewayResponse(result: InvokeResult, requestId: string): GatewayResponse {
  const ids = { 'x-amzn-RequestId': requestId };
  if (!result.ok)
    return gatewayError(502, 'Internal server error', { ...ids, 'x-amzn-ErrorType': 'InternalServerErrorException' });
  const p = result.payload as Record<string, unknown> | null;
  const statusCode = Number(p?.statusCode);
  if (!p || typeof p !== 'object' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return gatewayError(502, 'Internal server error', { ...ids, 'x-amzn-ErrorType': 'InternalServerErrorException' });
  }
  if (p.body !== undefined && p.body !== null && typeof p.body !== 'string') {
    return gatewayError(502, 'Internal server error', { ...ids, 'x-amzn-ErrorType': 'InternalServerErrorException' });
  }
  const headers: Record<string, string | string[]> = {};
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
