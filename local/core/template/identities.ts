/**
 * The local name, URL and ARN of every resource of a stack: what `Ref` and
 * `Fn::GetAtt` resolve to, the same on every start, so the values a function is
 * given point at the emulated queues and tables.
 */
import { LOCAL_ACCOUNT } from '../local-aws.js';
import { type CfnResource, refOf, text } from './cfn.js';
import type { LocalIdentity } from './intrinsics.js';

/** Which stack a template is, and where its queues are. */
export interface StackContext {
  readonly stackName: string;
  readonly region: string;
  /** The local URL of a queue, by name. */
  readonly queueUrl: (name: string) => string;
}

/** The pseudo parameters (`AWS::Region`, `AWS::AccountId`, ...) as the local stack has them. */
export function pseudoParameters(stack: StackContext): Record<string, string> {
  const { region, stackName } = stack;
  return {
    'AWS::Region': region,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::StackName': stackName,
    'AWS::StackId': `arn:aws:cloudformation:${region}:${LOCAL_ACCOUNT}:stack/${stackName}/local`,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NoValue': '',
  };
}

/** Local names and attributes of every resource, by logical id. */
export function localIdentities(
  resources: Readonly<Record<string, CfnResource>>,
  stack: StackContext,
): Map<string, LocalIdentity> {
  const ids = new Map<string, LocalIdentity>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    ids.set(logicalId, identityOf(logicalId, resource, stack, resources));
  }
  return ids;
}

function identityOf(
  logicalId: string,
  resource: CfnResource,
  stack: StackContext,
  resources: Readonly<Record<string, CfnResource>>,
): LocalIdentity {
  const p = resource.Properties ?? {};
  const arn = (service: string, name: string) => `arn:aws:${service}:${stack.region}:${LOCAL_ACCOUNT}:${name}`;
  // CloudFormation names what the template leaves unnamed after the stack and the logical id.
  const generated = (max: number) => `${stack.stackName}-${logicalId}`.slice(0, max);
  switch (resource.Type) {
    case 'AWS::SQS::Queue': {
      const fifo = p.FifoQueue === true || p.FifoQueue === 'true';
      const name = text(p.QueueName) ?? (fifo ? `${generated(75)}.fifo` : generated(80));
      const url = stack.queueUrl(name);
      return { ref: url, emulated: true, attributes: { Arn: arn('sqs', name), QueueName: name, QueueUrl: url } };
    }
    case 'AWS::DynamoDB::Table':
    case 'AWS::DynamoDB::GlobalTable': {
      const name = text(p.TableName) ?? generated(255);
      const tableArn = arn('dynamodb', `table/${name}`);
      return { ref: name, emulated: true, attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/local` } };
    }
    case 'AWS::S3::Bucket': {
      const name = text(p.BucketName) ?? localBucketName(stack.stackName, logicalId);
      return { ref: name, emulated: true, attributes: bucketAttributes(name, stack.region) };
    }
    case 'AWS::Lambda::Function': {
      const name = text(p.FunctionName) ?? generated(64);
      return { ref: name, emulated: true, attributes: { Arn: arn('lambda', `function:${name}`) } };
    }
    case 'AWS::ApiGateway::RestApi':
      return { ref: localApiId(logicalId), emulated: true, attributes: { RootResourceId: 'root' } };
    case 'AWS::ApiGateway::Resource':
      return { ref: localResourceId(logicalId), emulated: true, attributes: {} };
    case 'AWS::SecretsManager::Secret': {
      // Ref and Fn::GetAtt Id are the ARN, whose last six characters AWS draws at random; here they are stable.
      const name = text(p.Name) ?? generated(512);
      const secretArn = arn('secretsmanager', `secret:${name}-${hash(name).slice(0, 6)}`);
      return { ref: secretArn, emulated: true, attributes: { Id: secretArn } };
    }
    case 'AWS::Events::Rule': {
      // A rule's Ref is its name. Scheduled rules and rules with a pattern on a local bus run locally
      // (template/schedules.ts, template/event-rules.ts).
      const name = text(p.Name) ?? generated(64);
      const bus = busNameOf(p.EventBusName, resources, stack);
      return {
        ref: name,
        emulated: text(p.ScheduleExpression) !== undefined || p.EventPattern !== undefined,
        attributes: { Arn: arn('events', bus && bus !== 'default' ? `rule/${bus}/${name}` : `rule/${name}`) },
      };
    }
    case 'AWS::Scheduler::ScheduleGroup': {
      const name = text(p.Name) ?? generated(64);
      return { ref: name, emulated: true, attributes: { Arn: arn('scheduler', `schedule-group/${name}`) } };
    }
    case 'AWS::Scheduler::Schedule': {
      // Its Ref is its name; the group only shapes its ARN, and a Ref to the group is its name too.
      const name = text(p.Name) ?? generated(64);
      const groupRef = refOf(p.GroupName);
      const group = groupRef
        ? (text(resources[groupRef]?.Properties?.Name) ?? `${stack.stackName}-${groupRef}`.slice(0, 64))
        : (text(p.GroupName) ?? 'default');
      return { ref: name, emulated: true, attributes: { Arn: arn('scheduler', `schedule/${group}/${name}`) } };
    }
    case 'AWS::Events::EventBus': {
      // A bus's Ref is its name, as CloudFormation has it; the runtime routes what is put on it.
      const name = busNameOf({ Ref: logicalId }, resources, stack) as string;
      return { ref: name, emulated: true, attributes: { Arn: arn('events', `event-bus/${name}`), Name: name } };
    }
    default:
      return placeholderIdentity(resource.Type, generated(64), arn);
  }
}

/**
 * The name of the bus a rule's EventBusName gives: a name, an ARN, or a Ref or
 * Fn::GetAtt of a bus of the template (named by CloudFormation when unnamed).
 */
function busNameOf(
  value: unknown,
  resources: Readonly<Record<string, CfnResource>>,
  stack: StackContext,
): string | undefined {
  if (typeof value === 'string') return value.includes(':event-bus/') ? value.split(':event-bus/')[1] : value;
  const ref = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  const id = ref?.Ref ?? ref?.['Fn::GetAtt']?.[0];
  const bus = id ? resources[id] : undefined;
  if (!id || bus?.Type !== 'AWS::Events::EventBus') return undefined;
  return text(bus.Properties?.Name) ?? `${stack.stackName}-${id}`.slice(0, 256);
}

/** A resource the runtime does not emulate: a made-up name, and an ARN for every `*Arn` attribute. */
function placeholderIdentity(
  type: string,
  name: string,
  arn: (service: string, name: string) => string,
): LocalIdentity {
  const placeholderArn = arn(type.split('::')[1]?.toLowerCase() ?? 'local', name);
  return {
    ref: type === 'AWS::SNS::Topic' ? placeholderArn : name,
    emulated: false,
    attributes: new Proxy({} as Record<string, string>, {
      get: (_target, attribute) => (String(attribute).endsWith('Arn') ? placeholderArn : name),
    }),
  };
}

/**
 * The name CloudFormation would give an unnamed bucket, without its random
 * tail (so it is the same on every start): the stack and the logical id, in
 * the lower case, digits, dots and hyphens S3 allows, at most 63 characters.
 */
export function localBucketName(stackName: string, logicalId: string): string {
  const name = `${stackName}-${logicalId}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .slice(0, 63);
  return name.replace(/[.-]+$/, '');
}

/** What `Fn::GetAtt` gives for a bucket: its ARN and domain names, as on AWS. */
function bucketAttributes(name: string, region: string): Record<string, string> {
  return {
    Arn: `arn:aws:s3:::${name}`,
    DomainName: `${name}.s3.amazonaws.com`,
    RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
    DualStackDomainName: `${name}.s3.dualstack.${region}.amazonaws.com`,
    WebsiteURL: `http://${name}.s3-website-${region}.amazonaws.com`,
  };
}

/** A stable fake API id, so URLs the API builds look the same on every start. */
export function localApiId(logicalId: string): string {
  return `local${hash(logicalId).slice(0, 5)}`;
}

/** A stable fake API Gateway resource id. */
export function localResourceId(logicalId: string): string {
  return hash(logicalId).slice(0, 6);
}

/** FNV-1a, in base 36: short, stable ids from logical ids. */
function hash(s: string): string {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(36).padStart(7, '0');
}
