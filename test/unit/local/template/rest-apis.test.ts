import { describe, expect, it } from 'vitest';
import type { CfnResource } from '../../../../local/core/template/cfn.js';
import { nodeFunction, planOf } from './fixtures.js';

const apiRef = { Ref: 'Api' };

function resource(pathPart: string, parent: unknown): CfnResource {
  return { Type: 'AWS::ApiGateway::Resource', Properties: { RestApiId: apiRef, ParentId: parent, PathPart: pathPart } };
}

function method(httpMethod: string, resourceId: unknown, extra: Record<string, unknown> = {}): CfnResource {
  return {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: apiRef,
      ResourceId: resourceId,
      HttpMethod: httpMethod,
      AuthorizationType: 'NONE',
      Integration: {
        Type: 'AWS_PROXY',
        IntegrationHttpMethod: 'POST',
        Uri: {
          'Fn::Join': [
            '',
            [
              'arn:aws:apigateway:',
              { Ref: 'AWS::Region' },
              ':lambda:path/2015-03-31/functions/',
              { 'Fn::GetAtt': ['Handler', 'Arn'] },
              '/invocations',
            ],
          ],
        },
      },
      ...extra,
    },
  };
}

const root = { 'Fn::GetAtt': ['Api', 'RootResourceId'] };
const api = {
  Handler: nodeFunction(),
  Api: {
    Type: 'AWS::ApiGateway::RestApi',
    Properties: { Name: 'shop', BinaryMediaTypes: ['application~1octet-stream'] },
  },
  Jobs: resource('jobs', root),
  Job: resource('{jobId}', { Ref: 'Jobs' }),
  Proxy: resource('{proxy+}', root),
  Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: apiRef, StageName: 'v1' } },
};

describe('reading REST APIs', () => {
  it('gives every resource its full path and every method the function its proxy integration invokes', () => {
    // Act
    const plan = planOf({
      ...api,
      PostJobs: method('post', { Ref: 'Jobs' }),
      GetJob: method('GET', { Ref: 'Job' }),
      AnyProxy: method('ANY', { Ref: 'Proxy' }),
      AnyRoot: method('ANY', root),
    });
    // Assess
    const [restApi] = plan.apis;
    const routes = Object.fromEntries(
      (restApi?.routes ?? []).map((r) => [r.resourcePath, Object.fromEntries(r.methods)]),
    );
    const proxyTo = (httpMethod: string) => ({
      httpMethod,
      functionLogicalId: 'Handler',
      integrationType: 'AWS_PROXY',
      authorizationType: 'NONE',
      apiKeyRequired: false,
    });
    expect(routes).toEqual({
      '/jobs': { POST: proxyTo('POST') },
      '/jobs/{jobId}': { GET: proxyTo('GET') },
      '/{proxy+}': { ANY: proxyTo('ANY') },
      '/': { ANY: proxyTo('ANY') },
    });
    expect(plan.notes).toEqual([]);
  });

  it("serves the API under its stage's name, with stable local ids and decoded binary media types", () => {
    // Act
    const [first] = planOf({ ...api, GetJob: method('GET', { Ref: 'Job' }) }).apis;
    const [again] = planOf({ ...api, GetJob: method('GET', { Ref: 'Job' }) }).apis;
    // Assess
    expect(first).toMatchObject({ logicalId: 'Api', stage: 'v1', binaryMediaTypes: ['application/octet-stream'] });
    expect(first?.apiId).toMatch(/^local[0-9a-z]{5}$/);
    expect(again?.apiId).toBe(first?.apiId);
    expect(again?.routes[0]?.resourceId).toBe(first?.routes[0]?.resourceId);
  });

  it("uses CDK's default stage name, prod, when the template declares no stage", () => {
    // Act
    const { Stage: _stage, ...withoutStage } = api;
    const [restApi] = planOf({ ...withoutStage, GetJob: method('GET', { Ref: 'Job' }) }).apis;
    // Assess
    expect(restApi?.stage).toBe('prod');
  });
});

describe('reading what a REST API does not serve locally', () => {
  it('records the authorization a method requires, which the banner says is not checked', () => {
    // Act
    const [restApi] = planOf({
      ...api,
      GetJob: method('GET', { Ref: 'Job' }, { AuthorizationType: 'AWS_IAM', ApiKeyRequired: true }),
    }).apis;
    // Assess
    expect(restApi?.routes[0]?.methods.get('GET')).toMatchObject({
      authorizationType: 'AWS_IAM',
      apiKeyRequired: true,
    });
  });

  it('notes a method that is not a Lambda proxy integration, except an OPTIONS preflight', () => {
    // Prepare
    const mock = { Integration: { Type: 'MOCK' } };
    // Act
    const plan = planOf({
      ...api,
      GetJob: method('GET', { Ref: 'Job' }, mock),
      OptionsJob: method('OPTIONS', { Ref: 'Job' }, mock),
    });
    // Assess
    expect(plan.apis[0]?.routes[0]?.methods.get('GET')).toMatchObject({ integrationType: 'MOCK' });
    expect(plan.apis[0]?.routes[0]?.methods.get('GET')?.functionLogicalId).toBeUndefined();
    expect(plan.notes).toEqual(['API GET /jobs/{jobId}: only Lambda proxy integrations are served locally.']);
  });

  it('notes that HTTP APIs (API Gateway v2) are not served', () => {
    // Act
    const plan = planOf({ Http: { Type: 'AWS::ApiGatewayV2::Api' } });
    // Assess
    expect(plan.apis).toEqual([]);
    expect(plan.notes).toEqual(['HTTP APIs (API Gateway v2) are not served locally.']);
  });
});

describe('reading gateway responses', () => {
  it("keeps each response type's status, JSON template and unquoted headers", () => {
    // Act
    const [restApi] = planOf({
      ...api,
      GetJob: method('GET', { Ref: 'Job' }),
      Default4xx: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: {
          RestApiId: apiRef,
          ResponseType: 'DEFAULT_4XX',
          ResponseTemplates: { 'application/json': '{"code":"$context.error.responseType"}' },
          ResponseParameters: { 'gatewayresponse.header.x-team': "'payments'" },
        },
      },
      Throttled: {
        Type: 'AWS::ApiGateway::GatewayResponse',
        Properties: { RestApiId: apiRef, ResponseType: 'THROTTLED', StatusCode: '503' },
      },
    }).apis;

    // Assess
    expect(restApi?.gatewayResponses).toEqual({
      DEFAULT_4XX: {
        templates: { 'application/json': '{"code":"$context.error.responseType"}' },
        headers: { 'x-team': 'payments' },
      },
      THROTTLED: { templates: {}, headers: {}, statusCode: 503 },
    });
  });
});
