import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT } from './intrinsics.js';
import type { InvokeResult } from './lambda-function.js';
import type { MethodDef, RestApiDef, RouteDef } from './template.js';

/** API Gateway's payload limit for REST APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A matched route: the resource, the method that serves the request, and the path parameters. */
export interface RouteMatch {
  readonly route: RouteDef;
  readonly method: MethodDef;
  readonly pathParameters: Readonly<Record<string, string>> | null;
}

/**
 * Matches a path (without the stage) to a resource as API Gateway does: literal
 * parts beat `{param}`, which beats a greedy `{proxy+}`; the method must be the
 * request's or ANY. `undefined` when no resource matches; `null` method when the
 * resource has neither.
 */
export function matchRoute(
  api: RestApiDef,
  httpMethod: string,
  path: string,
): { route: RouteDef; method: MethodDef | undefined; pathParameters: Record<string, string> | null } | undefined {
  const parts = path.split('/').filter(Boolean);
  let best: { route: RouteDef; params: Record<string, string>; score: number[] } | undefined;
  for (const route of api.routes) {
    const pattern = route.resourcePath.split('/').filter(Boolean);
    const params: Record<string, string> = {};
    const score: number[] = [];
    let ok = true;
    let i = 0;
    for (; i < pattern.length; i++) {
      const p = pattern[i] as string;
      if (p.endsWith('+}')) {
        const rest = parts.slice(i);
        if (!rest.length) ok = false;
        else params[p.slice(1, -2)] = rest.map(decodeURIComponent).join('/');
        score.push(0);
        i = parts.length;
        break;
      }
      const part = parts[i];
      if (part === undefined) {
        ok = false;
        break;
      }
      if (p.startsWith('{')) {
        params[p.slice(1, -1)] = decodeURIComponent(part);
        score.push(1);
      } else if (p === part) {
        score.push(2);
      } else {
        ok = false;
        break;
      }
    }
    if (!ok || i !== parts.length) continue;
    if (!best || compare(score, best.score) > 0) best = { route, params, score };
  }
  if (!best) return undefined;
  const method = best.route.methods.get(httpMethod) ?? best.route.methods.get('ANY');
  return { route: best.route, method, pathParameters: Object.keys(best.params).length ? best.params : null };
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime format. */
function requestTime(d: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(
    d.getUTCMinutes(),
  )}:${p(d.getUTCSeconds())} +0000`;
}

function isBinary(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!contentType || !binaryMediaTypes.length) return false;
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return binaryMediaTypes.some((t) => {
    const [a, b] = t.toLowerCase().split('/');
    const [x, y] = type.split('/');
    return (a === '*' || a === x) && (b === '*' || b === y);
  });
}

/** Inputs of {@link buildProxyEvent} taken from the HTTP request. */
export interface IncomingRequest {
  readonly method: string;
  /** The path as requested, without the query string and without the stage. */
  readonly path: string;
  /** The path as requested, stage included when the client sent it. */
  readonly requestPath: string;
  readonly query: URLSearchParams;
  /** Raw header pairs, in order, names as the client sent them. */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly httpVersion: string;
}

/** A REST API proxy-integration event with every field of AWS's documented sample. */
export function buildProxyEvent(api: RestApiDef, match: RouteMatch, req: IncomingRequest): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    // API Gateway keeps the last value in `headers` and all of them in `multiValueHeaders`.
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase()) ?? name;
    headers[existing] = value;
    multiValueHeaders[existing] = [...(multiValueHeaders[existing] ?? []), value];
  }
  const setDefault = (name: string, value: string) => {
    if (Object.keys(headers).some((k) => k.toLowerCase() === name.toLowerCase())) return;
    headers[name] = value;
    multiValueHeaders[name] = [value];
  };
  // What API Gateway's edge adds; locally the scheme is plain http on the client's port.
  setDefault('X-Forwarded-For', req.sourceIp);
  setDefault('X-Forwarded-Proto', 'http');
  const host = Object.entries(headers).find(([k]) => k.toLowerCase() === 'host')?.[1] ?? '127.0.0.1';
  setDefault('X-Forwarded-Port', host.split(':')[1] ?? '80');

  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of req.query) {
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const contentType = Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
  const binary = isBinary(contentType, api.binaryMediaTypes);
  const now = new Date();
  const userAgent = Object.entries(headers).find(([k]) => k.toLowerCase() === 'user-agent')?.[1] ?? null;
  const requestId = randomUUID();
  return {
    resource: match.route.resourcePath,
    path: req.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length ? query : null,
    multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
    pathParameters: match.pathParameters ? { ...match.pathParameters } : null,
    stageVariables: null,
    requestContext: {
      accountId: LOCAL_ACCOUNT,
      apiId: api.apiId,
      authorizer: undefined,
      domainName: host,
      domainPrefix: host.split('.')[0]?.split(':')[0] ?? host,
      extendedRequestId: requestId,
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent,
        userArn: null,
      },
      path: `/${api.stage}${req.path}`,
      protocol: `HTTP/${req.httpVersion}`,
      requestId,
      requestTime: requestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: match.route.resourceId,
      resourcePath: match.route.resourcePath,
      stage: api.stage,
    },
    body: req.body.length === 0 ? null : binary ? req.body.toString('base64') : req.body.toString('utf8'),
    isBase64Encoded: binary && req.body.length > 0,
  };
}

/** A response as API Gateway sends it to the client. */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer;
}

const json = (statusCode: number, message: string, extra: Record<string, string> = {}): GatewayResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...extra },
  body: Buffer.from(JSON.stringify({ message })),
});

/**
 * The client's response for an invocation result, as API Gateway builds it from
 * a proxy integration: statusCode, headers merged with multiValueHeaders, and the
 * body decoded from base64 when isBase64Encoded. An error, a timeout or a
 * malformed result is a 502, as on AWS.
 */
export function toGatewayResponse(result: InvokeResult, requestId: string): GatewayResponse {
  const ids = { 'x-amzn-RequestId': requestId };
  if (!result.ok)
    return json(502, 'Internal server error', { ...ids, 'x-amzn-ErrorType': 'InternalServerErrorException' });
  const p = result.payload as Record<string, unknown> | null;
  const statusCode = Number(p?.statusCode);
  if (!p || typeof p !== 'object' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return json(502, 'Internal server error', { ...ids, 'x-amzn-ErrorType': 'InternalServerErrorException' });
  }
  if (p.body !== undefined && p.body !== null && typeof p.body !== 'string') {
    return json(502, 'Internal server error', { ...ids, 'x-amzn-ErrorType': 'InternalServerErrorException' });
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

/** What the HTTP server needs to serve one REST API. */
export interface ApiServerDeps {
  readonly api: () => RestApiDef | undefined;
  readonly invoke: (functionLogicalId: string, event: APIGatewayProxyEvent) => Promise<InvokeResult>;
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
    send(res, json(404, 'This app declares no REST API.'));
    return;
  }
  const url = new URL(req.url ?? '/', 'http://local');
  const method = (req.method ?? 'GET').toUpperCase();
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
    send(res, json(403, 'Missing Authentication Token', { 'x-amzn-ErrorType': 'MissingAuthenticationTokenException' }));
    return;
  }
  const functionLogicalId = match.method.functionLogicalId;
  if (!functionLogicalId) {
    send(res, json(500, `The ${match.method.integrationType} integration is not served locally.`));
    return;
  }
  const body = await readBody(req);
  if (!body) {
    send(res, json(413, 'Request Too Long'));
    return;
  }
  const event = buildProxyEvent(
    api,
    { ...match, method: match.method },
    {
      method,
      path,
      requestPath: url.pathname,
      query: url.searchParams,
      rawHeaders: req.rawHeaders,
      body,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      httpVersion: req.httpVersion,
    },
  );
  const result = await deps.invoke(functionLogicalId, event);
  send(res, toGatewayResponse(result, event.requestContext.requestId ?? requestId));
}
