import type { QueueDef } from '../plan.js';
import { type CfnResource, resourcesOfType } from './cfn.js';
import type { ReadingContext } from './reading-context.js';

/** The queue properties that are CreateQueue attributes of the same name. */
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

/** Every `AWS::SQS::Queue`, with its CreateQueue attributes and the local queue it redrives to. */
export function readQueues(ctx: ReadingContext): QueueDef[] {
  return resourcesOfType(ctx.template, 'AWS::SQS::Queue').map(([logicalId, resource]) =>
    readQueue(ctx, logicalId, resource),
  );
}

function readQueue(ctx: ReadingContext, logicalId: string, resource: CfnResource): QueueDef {
  const p = resource.Properties ?? {};
  const id = ctx.identities.get(logicalId);
  const name = id?.attributes.QueueName ?? logicalId;
  const attributes: Record<string, string> = {};
  for (const key of QUEUE_ATTRIBUTES) {
    if (p[key] !== undefined) attributes[key] = String(ctx.resolver.resolve(p[key]));
  }
  let redrive: { deadLetterQueue?: string; maxReceiveCount?: number } = {};
  if (p.RedrivePolicy !== undefined) {
    const policy = ctx.resolver.resolve(p.RedrivePolicy) as { deadLetterTargetArn: string; maxReceiveCount: number };
    attributes.RedrivePolicy = JSON.stringify(policy);
    const deadLetterQueue = ctx.logicalIdByArn.get(policy.deadLetterTargetArn);
    redrive = { ...(deadLetterQueue ? { deadLetterQueue } : {}), maxReceiveCount: Number(policy.maxReceiveCount) };
  }
  if (p.RedriveAllowPolicy !== undefined) {
    attributes.RedriveAllowPolicy = JSON.stringify(ctx.resolver.resolve(p.RedriveAllowPolicy));
  }
  if (p.KmsMasterKeyId !== undefined) ctx.notes.push(`Queue ${name}: KMS encryption is not emulated.`);
  return {
    logicalId,
    name,
    arn: id?.attributes.Arn ?? '',
    fifo: attributes.FifoQueue === 'true',
    attributes,
    ...redrive,
  };
}
