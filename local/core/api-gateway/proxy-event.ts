import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOCAL_ACCOUNT } from '../local-aws.js';
import type { RestApiDef } from '../plan.js';
import type { RouteMatch } from './routes.js';

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's requestTime format. */
export function requestTime(d: Date): string {
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
  const { headers, multiValueHeaders } = eventHeaders(req);
  const header = (name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  const host = header('host') ?? '127.0.0.1';
  const binary = isBinary(header('content-type'), api.binaryMediaTypes);
  const now = new Date();
  const requestId = randomUUID();
  return {
    resource: match.route.resourcePath,
    path: req.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    ...eventQuery(req.query),
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
      identity: callerIdentity(req.sourceIp, header('user-agent') ?? null),
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

/**
 * Name-value pairs as API Gateway passes them: the last value of each name in
 * one map, all of them in the other. Built with Object.fromEntries, so a name
 * such as `__proto__` or `constructor` is an ordinary key, as it is on AWS.
 */
function collect(
  pairs: Iterable<readonly [string, string]>,
  sameName: (a: string, b: string) => boolean,
): { last: Record<string, string>; all: Record<string, string[]> } {
  const names: string[] = [];
  const values = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const known = names.find((n) => sameName(n, name));
    if (known === undefined) {
      names.push(name);
      values.set(name, [value]);
    } else values.get(known)?.push(value);
  }
  return {
    last: Object.fromEntries(names.map((n) => [n, values.get(n)?.at(-1) ?? ''])),
    all: Object.fromEntries(names.map((n) => [n, values.get(n) ?? []])),
  };
}

function* headerPairs(rawHeaders: readonly string[]): Iterable<readonly [string, string]> {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) yield [rawHeaders[i] as string, rawHeaders[i + 1] as string];
}

/** The request's headers as API Gateway passes them, with what its edge adds. */
function eventHeaders(req: IncomingRequest): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const host = [...headerPairs(req.rawHeaders)].findLast(([k]) => k.toLowerCase() === 'host')?.[1] ?? '127.0.0.1';
  // What API Gateway's edge adds when the client did not; locally the scheme is plain http on the client's port.
  const edge: [string, string][] = [
    ['X-Forwarded-For', req.sourceIp],
    ['X-Forwarded-Proto', 'http'],
    ['X-Forwarded-Port', host.split(':')[1] ?? '80'],
  ];
  const sent = new Set([...headerPairs(req.rawHeaders)].map(([k]) => k.toLowerCase()));
  const pairs = [...headerPairs(req.rawHeaders), ...edge.filter(([k]) => !sent.has(k.toLowerCase()))];
  const { last, all } = collect(pairs, (a, b) => a.toLowerCase() === b.toLowerCase());
  return { headers: last, multiValueHeaders: all };
}

/** The query string as the event carries it: the last value of each name, and all of them; null when empty. */
function eventQuery(params: URLSearchParams): {
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
} {
  const { last, all } = collect(params, (a, b) => a === b);
  const empty = Object.keys(last).length === 0;
  return {
    queryStringParameters: empty ? null : last,
    multiValueQueryStringParameters: empty ? null : all,
  };
}

/** requestContext.identity of an unauthenticated caller. */
function callerIdentity(
  sourceIp: string,
  userAgent: string | null,
): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
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
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}
