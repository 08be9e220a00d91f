import type { GatewayResponseDef, MethodDef, RestApiDef, RouteDef } from '../plan.js';
import { type CfnResource, refOf, resourcesOfType, text } from './cfn.js';
import { localApiId, localResourceId } from './identities.js';
import type { ReadingContext } from './reading-context.js';

/**
 * Every `AWS::ApiGateway::RestApi` with its routes: each resource's full path,
 * its methods, and the function a Lambda proxy integration invokes.
 */
export function readRestApis(ctx: ReadingContext, functionIndex: ReadonlyMap<string, string>): RestApiDef[] {
  const apis = resourcesOfType(ctx.template, 'AWS::ApiGateway::RestApi').map(([logicalId, resource]) => ({
    logicalId,
    apiId: ctx.identities.get(logicalId)?.ref ?? localApiId(logicalId),
    stage: stageOf(ctx, logicalId),
    binaryMediaTypes: ((resource.Properties?.BinaryMediaTypes as string[] | undefined) ?? []).map((t) =>
      t.replace('~1', '/'),
    ),
    routes: readRoutes(ctx, functionIndex, logicalId),
    gatewayResponses: readGatewayResponses(ctx, logicalId),
    ...accessLogOf(ctx, logicalId),
  }));
  if (resourcesOfType(ctx.template, 'AWS::ApiGatewayV2::Api').length) {
    ctx.notes.push('HTTP APIs (API Gateway v2) are not served locally.');
  }
  return apis;
}

/** The resources and methods of one API, as routes. */
function readRoutes(ctx: ReadingContext, functionIndex: ReadonlyMap<string, string>, apiId: string): RouteDef[] {
  const pathOf = resourcePaths(ctx, apiId);
  const routes = new Map<string, { resourceId: string; methods: Map<string, MethodDef> }>();
  for (const [, method] of ofApi(ctx, 'AWS::ApiGateway::Method', apiId)) {
    const p = method.Properties ?? {};
    // A method on the root points at the API's RootResourceId, not at a Resource: it has no Ref.
    const resourceLogicalId = refOf(p.ResourceId);
    const resourcePath = pathOf(resourceLogicalId);
    const def = readMethod(ctx, functionIndex, p, resourcePath);
    const route = routes.get(resourcePath) ?? {
      resourceId: resourceLogicalId
        ? (ctx.identities.get(resourceLogicalId)?.ref ?? 'root')
        : localResourceId(`${apiId}root`),
      methods: new Map<string, MethodDef>(),
    };
    route.methods.set(def.httpMethod, def);
    routes.set(resourcePath, route);
  }
  return [...routes].map(([resourcePath, route]) => ({ resourcePath, ...route }));
}

function readMethod(
  ctx: ReadingContext,
  functionIndex: ReadonlyMap<string, string>,
  p: Record<string, unknown>,
  resourcePath: string,
): MethodDef {
  const integration = (p.Integration ?? {}) as { Type?: string; Uri?: unknown };
  const httpMethod = String(p.HttpMethod).toUpperCase();
  let functionLogicalId: string | undefined;
  if (integration.Type === 'AWS_PROXY' && integration.Uri !== undefined) {
    // arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations
    const uri = String(ctx.resolver.resolve(integration.Uri));
    const functionArn = /functions\/(arn:aws:lambda:[^/]+)\/invocations/.exec(uri)?.[1];
    functionLogicalId = functionArn ? functionIndex.get(functionArn) : undefined;
  }
  if (!functionLogicalId && httpMethod !== 'OPTIONS') {
    ctx.notes.push(`API ${httpMethod} ${resourcePath}: only Lambda proxy integrations are served locally.`);
  }
  return {
    httpMethod,
    integrationType: integration.Type ?? 'NONE',
    authorizationType: String(p.AuthorizationType ?? 'NONE'),
    apiKeyRequired: p.ApiKeyRequired === true,
    ...(functionLogicalId ? { functionLogicalId } : {}),
  };
}

/** The full path of each resource of an API (`/jobs/{jobId}`), by logical id; `/` for the root. */
function resourcePaths(ctx: ReadingContext, apiId: string): (logicalId: string | undefined) => string {
  const nodes = new Map<string, { part: string; parent?: string }>();
  for (const [logicalId, resource] of ofApi(ctx, 'AWS::ApiGateway::Resource', apiId)) {
    // The parent is another resource (Ref) or the API's root (GetAtt RootResourceId).
    const parent = refOf(resource.Properties?.ParentId);
    nodes.set(logicalId, { part: String(resource.Properties?.PathPart), ...(parent ? { parent } : {}) });
  }
  const pathOf = (logicalId: string | undefined): string => {
    const node = logicalId ? nodes.get(logicalId) : undefined;
    if (!node) return '/';
    const parent = pathOf(node.parent);
    return `${parent === '/' ? '' : parent}/${node.part}`;
  };
  return pathOf;
}

/** The API's gateway responses, by type: their status, body templates and headers. */
function readGatewayResponses(ctx: ReadingContext, apiId: string): Record<string, GatewayResponseDef> {
  const responses: Record<string, GatewayResponseDef> = {};
  for (const [, resource] of ofApi(ctx, 'AWS::ApiGateway::GatewayResponse', apiId)) {
    const p = ctx.resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    const type = text(p.ResponseType);
    if (!type) continue;
    const parameters = (p.ResponseParameters ?? {}) as Record<string, string>;
    const headers = Object.fromEntries(
      Object.entries(parameters)
        .filter(([k]) => k.startsWith('gatewayresponse.header.'))
        // Values are literals in single quotes, as API Gateway's mapping expressions write them.
        .map(([k, v]) => [k.slice('gatewayresponse.header.'.length), String(v).replace(/^'(.*)'$/, '$1')]),
    );
    const status = Number(p.StatusCode);
    responses[type] = {
      templates: (p.ResponseTemplates ?? {}) as Record<string, string>,
      headers,
      ...(Number.isInteger(status) ? { statusCode: status } : {}),
    };
  }
  return responses;
}

/** The stage name of an API's first stage; `prod`, CDK's default, when it declares none. */
function stageOf(ctx: ReadingContext, apiId: string): string {
  const [first] = ofApi(ctx, 'AWS::ApiGateway::Stage', apiId);
  return text(first?.[1].Properties?.StageName) ?? 'prod';
}

/** The access log format of an API's first stage, if it keeps one. */
function accessLogOf(ctx: ReadingContext, apiId: string): { accessLogFormat?: string } {
  const [first] = ofApi(ctx, 'AWS::ApiGateway::Stage', apiId);
  const setting = first?.[1].Properties?.AccessLogSetting as { Format?: unknown } | undefined;
  return typeof setting?.Format === 'string' ? { accessLogFormat: setting.Format } : {};
}

/** The resources of one type that belong to the API `apiId` (their RestApiId is a Ref to it). */
function ofApi(ctx: ReadingContext, type: string, apiId: string): [string, CfnResource][] {
  return resourcesOfType(ctx.template, type).filter(([, r]) => refOf(r.Properties?.RestApiId) === apiId);
}
