import { describe, expect, it } from 'vitest';
import { matchRoute } from '../../../local/core/api-gateway/routes.js';
import type { MethodDef, RestApiDef } from '../../../local/core/plan.js';

const method = (httpMethod: string): MethodDef => ({
  httpMethod,
  functionLogicalId: 'Fn',
  integrationType: 'AWS_PROXY',
  authorizationType: 'NONE',
  apiKeyRequired: false,
});
const route = (resourcePath: string, ...methods: string[]) => ({
  resourcePath,
  resourceId: resourcePath,
  methods: new Map(methods.map((m) => [m, method(m)])),
});
const api: RestApiDef = {
  logicalId: 'Api',
  apiId: 'local1',
  stage: 'v1',
  binaryMediaTypes: [],
  gatewayResponses: {},
  routes: [
    route('/{proxy+}', 'ANY'),
    route('/jobs/{jobId}', 'GET'),
    route('/jobs/batch', 'POST'),
    route('/jobs', 'POST', 'ANY'),
    route('/', 'ANY'),
  ],
};

describe('matching a request to a route, as API Gateway does', () => {
  it.each([
    { verb: 'POST', path: '/jobs/batch', resource: '/jobs/batch', params: null },
    { verb: 'GET', path: '/jobs/abc%20d', resource: '/jobs/{jobId}', params: { jobId: 'abc d' } },
    { verb: 'GET', path: '/other/a/b', resource: '/{proxy+}', params: { proxy: 'other/a/b' } },
    { verb: 'GET', path: '/', resource: '/', params: null },
  ])(
    'takes $resource for $verb $path: literal beats {param}, which beats {proxy+}',
    ({ verb, path, resource, params }) => {
      // Act
      const match = matchRoute(api, verb, path);
      // Assess
      expect(match?.route.resourcePath).toBe(resource);
      expect(match?.pathParameters).toEqual(params);
    },
  );

  it('prefers the method itself to ANY, and has no method for one the resource lacks', () => {
    // Act
    const post = matchRoute(api, 'POST', '/jobs');
    const get = matchRoute(api, 'GET', '/jobs');
    const putBatch = matchRoute(api, 'PUT', '/jobs/batch');
    // Assess
    expect(post?.method?.httpMethod).toBe('POST');
    expect(get?.method?.httpMethod).toBe('ANY');
    expect(putBatch?.route.resourcePath).toBe('/jobs/batch');
    expect(putBatch?.method).toBeUndefined();
  });

  it.each(['/jobs/%', '/jobs/%zz', '/other/%E0%A4%A/b', '/jobs/%E2%82'])(
    'matches %s, whose parameter does not decode, to no {param} or {proxy+} resource, and does not throw',
    (path) => {
      // Act
      const match = () => matchRoute(api, 'GET', path);
      // Assess
      expect(match).not.toThrow();
      expect(match()).toBeUndefined();
    },
  );

  it('still matches a literal resource whose path holds no escape', () => {
    expect(matchRoute(api, 'POST', '/jobs/batch')?.route.resourcePath).toBe('/jobs/batch');
  });
});
