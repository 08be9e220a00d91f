import { describe, expect, it } from 'vitest';
import { GATEWAY_ERRORS, gatewayError, toGatewayResponse } from '../../../local/core/api-gateway/gateway-response.js';
import { buildProxyEvent } from '../../../local/core/api-gateway/proxy-event.js';
import type { RestApiDef } from '../../../local/core/plan.js';

/** The gateway response templates the stack declares (lib/job-api.ts). */
const TEMPLATE =
  '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}}';

const api = (gatewayResponses: RestApiDef['gatewayResponses'] = {}): RestApiDef => ({
  logicalId: 'Api',
  apiId: 'local1',
  stage: 'v1',
  binaryMediaTypes: [],
  routes: [],
  gatewayResponses,
});

describe("the local gateway's own answers", () => {
  it("render the API's gateway response template for the type, falling back to DEFAULT_4XX, as API Gateway does", () => {
    // Prepare
    const withTemplate = api({ DEFAULT_4XX: { templates: { 'application/json': TEMPLATE }, headers: {} } });

    // Act
    const res = gatewayError(withTemplate, GATEWAY_ERRORS.missingAuthenticationToken, 'req-1');

    // Assess
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body.toString())).toEqual({
      error: { code: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token', requestId: 'req-1' },
    });
    expect(res.headers['x-amzn-ErrorType']).toBe('MissingAuthenticationTokenException');
  });

  it('use DEFAULT_5XX for a function that failed, and the type of its own status when declared', () => {
    const withTemplates = api({
      DEFAULT_5XX: { templates: { 'application/json': TEMPLATE }, headers: {} },
      INTEGRATION_TIMEOUT: { templates: { 'application/json': '{"timeout":true}' }, headers: {}, statusCode: 503 },
    });

    const failed = toGatewayResponse(
      { ok: false, errorType: 'E', errorMessage: 'm', timedOut: false, durationMs: 1 },
      'r',
      withTemplates,
    );
    const timedOut = toGatewayResponse(
      { ok: false, errorType: 'E', errorMessage: 'm', timedOut: true, durationMs: 1 },
      'r',
      withTemplates,
    );

    expect(failed.statusCode).toBe(502);
    expect(JSON.parse(failed.body.toString())).toMatchObject({
      error: { code: 'DEFAULT_5XX', message: 'Internal server error' },
    });
    expect(timedOut.statusCode).toBe(503);
    expect(JSON.parse(timedOut.body.toString())).toEqual({ timeout: true });
  });

  it("answer API Gateway's plain { message } when the API declares no gateway responses", () => {
    const res = gatewayError(api(), GATEWAY_ERRORS.requestTooLarge, 'r');

    expect(res.statusCode).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Request Too Long' });
  });
});

describe('the proxy event', () => {
  it('carries header and query names such as __proto__ and constructor as ordinary keys', () => {
    // Prepare
    const match = {
      route: { resourcePath: '/jobs', resourceId: 'r', methods: new Map() },
      method: { httpMethod: 'GET', integrationType: 'AWS_PROXY', authorizationType: 'NONE', apiKeyRequired: false },
      pathParameters: null,
    };

    // Act
    const event = buildProxyEvent(api(), match, {
      method: 'GET',
      path: '/jobs',
      requestPath: '/jobs',
      query: new URLSearchParams('__proto__=1&constructor=2&constructor=3'),
      rawHeaders: ['Host', '127.0.0.1:3000', '__proto__', 'x', 'constructor', 'y', 'Constructor', 'z'],
      body: Buffer.alloc(0),
      sourceIp: '127.0.0.1',
      httpVersion: '1.1',
    });

    // Assess
    expect(Object.getPrototypeOf(event.headers)).toBe(Object.prototype);
    expect(Object.entries(event.headers)).toEqual(
      expect.arrayContaining([
        ['__proto__', 'x'],
        ['constructor', 'z'],
      ]),
    );
    expect(event.multiValueHeaders.constructor).toEqual(['y', 'z']);
    expect(Object.entries(event.queryStringParameters ?? {})).toEqual([
      ['__proto__', '1'],
      ['constructor', '3'],
    ]);
    expect(event.multiValueQueryStringParameters?.constructor).toEqual(['2', '3']);
  });
});
