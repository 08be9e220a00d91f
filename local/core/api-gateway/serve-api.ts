import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { InvokeResult } from '../functions/invoke-result.js';
import type { RestApiDef } from '../plan.js';
import { renderAccessLog } from './access-log.js';
import { GATEWAY_ERRORS, type GatewayResponse, gatewayError, toGatewayResponse } from './gateway-response.js';
import { buildProxyEvent } from './proxy-event.js';
import { decodeSegment, matchRoute } from './routes.js';

/** API Gateway's payload limit for REST APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** What the HTTP server needs to serve one REST API. */
export interface ApiServerDeps {
  readonly api: () => RestApiDef | undefined;
  readonly invoke: (functionLogicalId: string, event: APIGatewayProxyEvent) => Promise<InvokeResult>;
  /** Called for each request the API answers: API Gateway bills each. */
  readonly requested?: (api: RestApiDef) => void;
  /** Called with each request's line of the stage's access log, when the stage keeps one. */
  readonly accessLog?: (line: string, api: RestApiDef) => void;
}

/** Reads the body, up to API Gateway's limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** True when every percent-escape of the path decodes. */
const isDecodable = (path: string): boolean => decodeSegment(path) !== undefined;

function send(res: ServerResponse, response: GatewayResponse): void {
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': String(response.body.length) });
  res.end(response.body);
}

/**
 * Serves a request as API Gateway's REST API would: the path may carry the stage
 * (`/v1/jobs`, as the deployed URL does) or not (`/jobs`, as behind a custom domain).
 */
export async function handleApiRequest(req: IncomingMessage, res: ServerResponse, deps: ApiServerDeps): Promise<void> {
  const api = deps.api();
  const requestId = randomUUID();
  if (!api) {
    send(res, {
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'This app declares no REST API.' } })),
    });
    return;
  }
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  let event: APIGatewayProxyEvent | undefined;
  const respond = (response: GatewayResponse) => {
    send(res, response);
    deps.requested?.(api);
    if (!api.accessLogFormat || !deps.accessLog) return;
    const line = renderAccessLog(api.accessLogFormat, {
      ...(event ? { event } : {}),
      requestId: event?.requestContext.requestId ?? requestId,
      method,
      path: url.pathname,
      sourceIp,
      status: response.statusCode,
      responseLength: response.body.length,
    });
    deps.accessLog(line, api);
  };
  if (!isDecodable(url.pathname)) {
    // A path API Gateway cannot decode never reaches the function.
    respond(gatewayError(api, GATEWAY_ERRORS.badRequest, requestId));
    return;
  }
  let path = url.pathname;
  const stagePrefix = `/${api.stage}`;
  let match =
    path === stagePrefix || path.startsWith(`${stagePrefix}/`)
      ? matchRoute(api, method, path.slice(stagePrefix.length) || '/')
      : undefined;
  if (match) path = path.slice(stagePrefix.length) || '/';
  else match = matchRoute(api, method, path);
  if (!match?.method) {
    // API Gateway's answer for a path or method the API does not declare.
    respond(gatewayError(api, GATEWAY_ERRORS.missingAuthenticationToken, requestId));
    return;
  }
  const functionLogicalId = match.method.functionLogicalId;
  if (!functionLogicalId) {
    respond(gatewayError(api, GATEWAY_ERRORS.notServed, requestId));
    return;
  }
  const body = await readBody(req);
  if (!body) {
    respond(gatewayError(api, GATEWAY_ERRORS.requestTooLarge, requestId));
    return;
  }
  event = buildProxyEvent(
    api,
    { ...match, method: match.method },
    {
      method,
      path,
      requestPath: url.pathname,
      query: url.searchParams,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp,
      httpVersion: req.httpVersion,
    },
  );
  const result = await deps.invoke(functionLogicalId, event);
  respond(toGatewayResponse(result, event.requestContext.requestId ?? requestId, api));
}
