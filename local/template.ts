import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  type CfnResource,
  type CfnTemplate,
  IntrinsicError,
  IntrinsicResolver,
  LOCAL_ACCOUNT,
  type LocalIdentity,
} from './intrinsics.js';
import { localConcurrencyLimit } from './lambda-function.js';

/** An SQS queue the template declares. */
export interface QueueDef {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** CreateQueue attributes, every intrinsic resolved (RedrivePolicy names the local DLQ's ARN). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Logical id of the queue this one redrives to, if any. */
  readonly deadLetterQueue?: string;
  readonly maxReceiveCount?: number;
}

/** A DynamoDB table the template declares. */
export interface TableDef {
  readonly logicalId: string;
  readonly name: string;
  /** CreateTable input in the API's shape. */
  readonly create: Record<string, unknown>;
  /** TimeToLiveSpecification's attribute, when TTL is enabled. */
  readonly ttlAttribute?: string;
}

/** A Lambda function the template declares. */
export interface FunctionDef {
  readonly logicalId: string;
  /** Short name for log prefixes: the construct path without the stack and `/Resource`. */
  readonly displayName: string;
  readonly functionName: string;
  readonly arn: string;
  /** Directory of the function's code (the bundled asset in the cloud assembly). */
  readonly codeDir: string;
  /** `file.export`, as Lambda's Handler property. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Environment.Variables with every intrinsic resolved. */
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number;
}

/** An SQS event source mapping. */
export interface EventSourceDef {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly queueLogicalId: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** ScalingConfig.MaximumConcurrency, if set. */
  readonly maxConcurrency?: number;
  readonly reportBatchItemFailures: boolean;
  readonly enabled: boolean;
}

/** One method of an API Gateway resource. */
export interface MethodDef {
  readonly httpMethod: string;
  readonly functionLogicalId?: string;
  readonly integrationType: string;
  readonly authorizationType: string;
  readonly apiKeyRequired: boolean;
}

/** One API Gateway resource (path) and its methods. */
export interface RouteDef {
  /** e.g. `/jobs/{jobId}`; `/` for the root. */
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly methods: ReadonlyMap<string, MethodDef>;
}

/** A REST API the template declares. */
export interface RestApiDef {
  readonly logicalId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly binaryMediaTypes: readonly string[];
  readonly routes: readonly RouteDef[];
}

/** Everything the local runtime builds from one stack. */
export interface LocalPlan {
  readonly stackName: string;
  readonly region: string;
  readonly queues: readonly QueueDef[];
  readonly tables: readonly TableDef[];
  readonly functions: readonly FunctionDef[];
  readonly eventSources: readonly EventSourceDef[];
  readonly apis: readonly RestApiDef[];
  /** Things the template declares that behave differently locally, to print at start-up. */
  readonly notes: readonly string[];
}

/** Reads the cloud assembly's manifest and returns the stacks it holds: name, template file, region. */
export function listStacks(outDir: string): { name: string; templateFile: string; region: string }[] {
  const manifestFile = path.join(outDir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`No cloud assembly in ${outDir}; synthesis did not produce one.`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    artifacts?: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {})
    .filter(([, a]) => a.type === 'aws:cloudformation:stack' && a.properties?.templateFile)
    .map(([name, a]) => {
      const region = a.environment?.split('/')[3];
      return {
        name,
        templateFile: path.join(outDir, a.properties?.templateFile as string),
        region: region && region !== 'unknown-region' ? region : 'us-east-1',
      };
    });
}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/** The plan for stack `stackName` (or the only stack) of the cloud assembly in `outDir`. */
export function loadPlan(outDir: string, stackName?: string, queueUrl = (name: string) => name): LocalPlan {
  const stacks = listStacks(outDir);
  const stack = stackName ? stacks.find((s) => s.name === stackName) : stacks.length === 1 ? stacks[0] : undefined;
  if (!stack) {
    const names = stacks.map((s) => s.name).join(', ') || 'none';
    throw new Error(
      stackName
        ? `Stack "${stackName}" is not in ${outDir}; it has: ${names}.`
        : `The app has several stacks (${names}); choose one with --stack.`,
    );
  }
  const template = JSON.parse(readFileSync(stack.templateFile, 'utf8')) as CfnTemplate;
  return buildPlan(template, { stackName: stack.name, region: stack.region, outDir, queueUrl });
}

interface PlanContext {
  readonly stackName: string;
  readonly region: string;
  readonly outDir: string;
  /** The local URL of a queue, by name. */
  readonly queueUrl: (name: string) => string;
}

/** Local names and attributes of every resource, so intrinsics can point at them. */
function identities(template: CfnTemplate, ctx: PlanContext): Map<string, LocalIdentity> {
  const { region, stackName } = ctx;
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${LOCAL_ACCOUNT}:${resource}`;
  const generated = (logicalId: string, max: number) => `${stackName}-${logicalId}`.slice(0, max);
  const ids = new Map<string, LocalIdentity>();
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    const p = r.Properties ?? {};
    switch (r.Type) {
      case 'AWS::SQS::Queue': {
        const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
        const name = str(p.QueueName) ?? `${generated(logicalId, fifo ? 75 : 80)}${fifo ? '.fifo' : ''}`;
        const url = ctx.queueUrl(name);
        ids.set(logicalId, {
          ref: url,
          emulated: true,
          attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url },
        });
        break;
      }
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable': {
        const name = str(p.TableName) ?? generated(logicalId, 255);
        const tableArn = arn('dynamodb', `table/${name}`);
        ids.set(logicalId, {
          ref: name,
          emulated: true,
          attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/local` },
        });
        break;
      }
      case 'AWS::Lambda::Function': {
        const name = str(p.FunctionName) ?? generated(logicalId, 64);
        ids.set(logicalId, { ref: name, emulated: true, attributes: { Arn: arn('lambda', `function:${name}`) } });
        break;
      }
      case 'AWS::ApiGateway::RestApi':
        ids.set(logicalId, {
          ref: localApiId(logicalId),
          emulated: true,
          attributes: { RootResourceId: 'root' },
        });
        break;
      case 'AWS::ApiGateway::Resource':
        ids.set(logicalId, { ref: localResourceId(logicalId), emulated: true, attributes: {} });
        break;
      default: {
        const service = r.Type.split('::')[1]?.toLowerCase() ?? 'local';
        const name = generated(logicalId, 64);
        const placeholderArn = arn(service, name);
        ids.set(logicalId, {
          ref: r.Type === 'AWS::SNS::Topic' ? placeholderArn : name,
          emulated: false,
          attributes: new Proxy({} as Record<string, string>, {
            get: (_t, attr) => (attr === 'Arn' || String(attr).endsWith('Arn') ? placeholderArn : name),
          }),
        });
      }
    }
  }
  return ids;
}

/** A stable fake API id, so URLs the API builds look the same on every start. */
function localApiId(logicalId: string): string {
  return `local${hash(logicalId).slice(0, 5)}`;
}

function localResourceId(logicalId: string): string {
  return hash(logicalId).slice(0, 6);
}

function hash(s: string): string {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36).padStart(7, '0');
}

const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'SqsManagedSseEnabled',
] as const;

/** Builds the plan from a template. Exported for tests of the template reading alone. */
export function buildPlan(template: CfnTemplate, ctx: PlanContext): LocalPlan {
  const ids = identities(template, ctx);
  const pseudo = {
    'AWS::Region': ctx.region,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::StackName': ctx.stackName,
    'AWS::StackId': `arn:aws:cloudformation:${ctx.region}:${LOCAL_ACCOUNT}:stack/${ctx.stackName}/local`,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': '',
  };
  const resolver = new IntrinsicResolver(template, ids, pseudo);
  const notes: string[] = [];
  const entries = Object.entries(template.Resources);
  const of = (type: string) => entries.filter(([, r]) => r.Type === type);
  const idOf = (logicalId: string) => ids.get(logicalId) as LocalIdentity;
  const logicalIdByArn = new Map<string, string>();
  for (const [logicalId, id] of ids) if (id.attributes.Arn) logicalIdByArn.set(id.attributes.Arn, logicalId);

  const queues: QueueDef[] = of('AWS::SQS::Queue').map(([logicalId, r]) => {
    const p = r.Properties ?? {};
    const id = idOf(logicalId);
    const attributes: Record<string, string> = {};
    for (const key of QUEUE_ATTRIBUTES) {
      if (p[key] !== undefined) attributes[key] = String(resolver.resolve(p[key]));
    }
    let deadLetterQueue: string | undefined;
    let maxReceiveCount: number | undefined;
    if (p.RedrivePolicy !== undefined) {
      const policy = resolver.resolve(p.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number };
      attributes.RedrivePolicy = JSON.stringify(policy);
      deadLetterQueue = logicalIdByArn.get(policy.deadLetterTargetArn);
      maxReceiveCount = Number(policy.maxReceiveCount);
    }
    if (p.RedriveAllowPolicy !== undefined) {
      attributes.RedriveAllowPolicy = JSON.stringify(resolver.resolve(p.RedriveAllowPolicy));
    }
    if (p.KmsMasterKeyId !== undefined) notes.push(`Queue ${id.attributes.QueueName}: KMS encryption is not emulated.`);
    return {
      logicalId,
      name: id.attributes.QueueName as string,
      arn: id.attributes.Arn as string,
      fifo: attributes.FifoQueue === 'true',
      attributes,
      ...(deadLetterQueue ? { deadLetterQueue } : {}),
      ...(maxReceiveCount !== undefined ? { maxReceiveCount } : {}),
    };
  });

  const tables: TableDef[] = [...of('AWS::DynamoDB::Table'), ...of('AWS::DynamoDB::GlobalTable')].map(
    ([logicalId, r]) => {
      const p = r.Properties ?? {};
      const name = idOf(logicalId).ref;
      const billing = str(p.BillingMode) ?? 'PROVISIONED';
      const throughput = (t: unknown) =>
        billing === 'PAY_PER_REQUEST'
          ? {}
          : { ProvisionedThroughput: t ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } };
      const gsis = (p.GlobalSecondaryIndexes as Record<string, unknown>[] | undefined)?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
        ...throughput(g.ProvisionedThroughput),
      }));
      const lsis = (p.LocalSecondaryIndexes as Record<string, unknown>[] | undefined)?.map((l) => ({
        IndexName: l.IndexName,
        KeySchema: l.KeySchema,
        Projection: l.Projection,
      }));
      const create = resolver.resolve({
        TableName: name,
        AttributeDefinitions: p.AttributeDefinitions,
        KeySchema: p.KeySchema,
        BillingMode: billing,
        ...throughput(p.ProvisionedThroughput),
        ...(gsis?.length ? { GlobalSecondaryIndexes: gsis } : {}),
        ...(lsis?.length ? { LocalSecondaryIndexes: lsis } : {}),
      }) as Record<string, unknown>;
      const ttl = p.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
      const pitr = p.PointInTimeRecoverySpecification as { PointInTimeRecoveryEnabled?: boolean } | undefined;
      if (pitr?.PointInTimeRecoveryEnabled) notes.push(`Table ${name}: point-in-time recovery is not emulated.`);
      return {
        logicalId,
        name,
        create,
        ...(ttl?.Enabled && ttl.AttributeName ? { ttlAttribute: ttl.AttributeName } : {}),
      };
    },
  );

  const functions: FunctionDef[] = [];
  for (const [logicalId, r] of of('AWS::Lambda::Function')) {
    const p = r.Properties ?? {};
    const id = idOf(logicalId);
    const runtime = str(p.Runtime) ?? '';
    const cdkPath = str(r.Metadata?.['aws:cdk:path']);
    const displayName = cdkPath
      ? cdkPath
          .split('/')
          .slice(1)
          .filter((s) => s !== 'Resource')
          .join('/')
          .replace(/\/Function$/, '')
      : logicalId;
    if (!runtime.startsWith('nodejs')) {
      notes.push(`Function ${displayName}: runtime "${runtime || 'container image'}" is not run locally.`);
      continue;
    }
    const asset = str(r.Metadata?.['aws:asset:path']);
    if (!asset) {
      notes.push(`Function ${displayName}: no bundled asset in the cloud assembly; it is not run locally.`);
      continue;
    }
    const environment: Record<string, string> = {};
    const variables = (p.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    for (const [name, value] of Object.entries(variables)) {
      resolver.placeholders.clear();
      try {
        environment[name] = String(resolver.resolve(value));
      } catch (error) {
        if (!(error instanceof IntrinsicError)) throw error;
        notes.push(`Function ${displayName}: ${name} left empty: ${error.message}`);
        environment[name] = '';
      }
      for (const placeholder of resolver.placeholders) {
        const type = template.Resources[placeholder]?.Type;
        notes.push(`Function ${displayName}: ${name} names ${type} ${placeholder}, which is not emulated locally.`);
      }
    }
    const reserved = p.ReservedConcurrentExecutions;
    functions.push({
      logicalId,
      displayName,
      functionName: id.ref,
      arn: id.attributes.Arn as string,
      codeDir: path.resolve(ctx.outDir, asset),
      handler: str(p.Handler) ?? 'index.handler',
      runtime,
      timeoutSeconds: Number(p.Timeout ?? 3),
      memoryMb: Number(p.MemorySize ?? 128),
      environment,
      ...(reserved !== undefined ? { reservedConcurrency: Number(reserved) } : {}),
    });
  }
  const functionByName = new Map<string, string>();
  for (const f of functions) {
    functionByName.set(f.functionName, f.logicalId);
    functionByName.set(f.arn, f.logicalId);
  }

  const eventSources: EventSourceDef[] = [];
  for (const [logicalId, r] of of('AWS::Lambda::EventSourceMapping')) {
    const p = r.Properties ?? {};
    const sourceArn = str(resolver.resolve(p.EventSourceArn)) ?? '';
    const queueLogicalId = logicalIdByArn.get(sourceArn);
    const functionLogicalId = functionByName.get(String(resolver.resolve(p.FunctionName)));
    if (!queueLogicalId || template.Resources[queueLogicalId]?.Type !== 'AWS::SQS::Queue' || !functionLogicalId) {
      notes.push(`Event source ${logicalId}: only SQS sources of local functions are polled; this one is ignored.`);
      continue;
    }
    if (p.FilterCriteria !== undefined)
      notes.push(`Event source ${logicalId}: FilterCriteria are not applied locally.`);
    const scaling = p.ScalingConfig as { MaximumConcurrency?: number } | undefined;
    eventSources.push({
      logicalId,
      functionLogicalId,
      queueLogicalId,
      batchSize: Number(p.BatchSize ?? 10),
      maxBatchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
      ...(scaling?.MaximumConcurrency !== undefined ? { maxConcurrency: Number(scaling.MaximumConcurrency) } : {}),
      reportBatchItemFailures: ((p.FunctionResponseTypes as string[] | undefined) ?? []).includes(
        'ReportBatchItemFailures',
      ),
      enabled: p.Enabled !== false && p.Enabled !== 'false',
    });
  }

  const apis = of('AWS::ApiGateway::RestApi').map(([logicalId, r]) =>
    restApi(logicalId, r, entries, ids, resolver, functionByName, notes),
  );
  if (of('AWS::ApiGatewayV2::Api').length) notes.push('HTTP APIs (API Gateway v2) are not served locally.');
  const limit = localConcurrencyLimit();
  if (apis.length || eventSources.some((e) => (e.maxConcurrency ?? 5) > limit)) {
    notes.push(
      `At most ${limit} execution environments per function run at once locally (the number of cores, at least 2, unless QW_CONCURRENCY sets it): event sources poll with at most ${limit}, and further API requests wait for a free environment.`,
    );
  }

  return { stackName: ctx.stackName, region: ctx.region, queues, tables, functions, eventSources, apis, notes };
}

function restApi(
  logicalId: string,
  r: CfnResource,
  entries: [string, CfnResource][],
  ids: Map<string, LocalIdentity>,
  resolver: IntrinsicResolver,
  functionByName: Map<string, string>,
  notes: string[],
): RestApiDef {
  const p = r.Properties ?? {};
  const belongs = (res: CfnResource) => {
    const api = res.Properties?.RestApiId as { Ref?: string } | undefined;
    return api?.Ref === logicalId;
  };
  // Parent pointers are either the API's root (GetAtt RootResourceId) or another resource (Ref).
  const parentOf = (v: unknown): string | undefined => {
    const ref = (v as { Ref?: string } | undefined)?.Ref;
    return ref ?? undefined;
  };
  const resources = new Map<string, { part: string; parent?: string }>();
  for (const [id, res] of entries) {
    if (res.Type === 'AWS::ApiGateway::Resource' && belongs(res)) {
      const parent = parentOf(res.Properties?.ParentId);
      resources.set(id, { part: String(res.Properties?.PathPart), ...(parent ? { parent } : {}) });
    }
  }
  const pathOf = (id: string | undefined): string => {
    if (!id) return '/';
    const node = resources.get(id);
    if (!node) return '/';
    const parent = pathOf(node.parent);
    return `${parent === '/' ? '' : parent}/${node.part}`;
  };
  const routes = new Map<string, { resourceId: string; methods: Map<string, MethodDef> }>();
  for (const [, res] of entries) {
    if (res.Type !== 'AWS::ApiGateway::Method' || !belongs(res)) continue;
    const mp = res.Properties ?? {};
    const resourceLogicalId = parentOf(mp.ResourceId);
    const resourcePath = pathOf(resourceLogicalId);
    const integration = (mp.Integration ?? {}) as { Type?: string; Uri?: unknown };
    let functionLogicalId: string | undefined;
    if (integration.Type === 'AWS_PROXY' && integration.Uri !== undefined) {
      const uri = String(resolver.resolve(integration.Uri));
      const fnArn = /functions\/(arn:aws:lambda:[^/]+)\/invocations/.exec(uri)?.[1];
      functionLogicalId = fnArn ? functionByName.get(fnArn) : undefined;
    }
    const httpMethod = String(mp.HttpMethod).toUpperCase();
    if (!functionLogicalId && httpMethod !== 'OPTIONS') {
      notes.push(`API ${httpMethod} ${resourcePath}: only Lambda proxy integrations are served locally.`);
    }
    const route = routes.get(resourcePath) ?? {
      resourceId: resourceLogicalId ? (ids.get(resourceLogicalId)?.ref ?? 'root') : localResourceId(`${logicalId}root`),
      methods: new Map<string, MethodDef>(),
    };
    route.methods.set(httpMethod, {
      httpMethod,
      integrationType: integration.Type ?? 'NONE',
      authorizationType: String(mp.AuthorizationType ?? 'NONE'),
      apiKeyRequired: mp.ApiKeyRequired === true,
      ...(functionLogicalId ? { functionLogicalId } : {}),
    });
    routes.set(resourcePath, route);
  }
  const stages = entries.filter(
    ([, res]) =>
      res.Type === 'AWS::ApiGateway::Stage' && (res.Properties?.RestApiId as { Ref?: string })?.Ref === logicalId,
  );
  const stage = str(stages[0]?.[1].Properties?.StageName) ?? 'prod';
  return {
    logicalId,
    apiId: ids.get(logicalId)?.ref ?? localApiId(logicalId),
    stage,
    binaryMediaTypes: ((p.BinaryMediaTypes as string[] | undefined) ?? []).map((t) => t.replace('~1', '/')),
    routes: [...routes].map(([resourcePath, route]) => ({ resourcePath, ...route })),
  };
}
