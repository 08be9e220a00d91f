import { compilePattern } from '../events/pattern.js';
import type { EventBusDef, EventRuleDef, EventTargetDef, QueueDef, TargetInputDef } from '../plan.js';
import { resourcesOfType, text } from './cfn.js';
import type { ReadingContext } from './reading-context.js';

/** Every `AWS::Events::EventBus`, by its local name and ARN. */
export function readEventBuses(ctx: ReadingContext): EventBusDef[] {
  return resourcesOfType(ctx.template, 'AWS::Events::EventBus').map(([logicalId]) => {
    const id = ctx.identities.get(logicalId);
    return { logicalId, name: id?.ref ?? logicalId, arn: id?.attributes.Arn ?? logicalId };
  });
}

/**
 * Every `AWS::Events::Rule` with an `EventPattern`, on any bus, with the
 * stack's queues and functions among its targets. Other targets, target
 * settings that are not emulated, and pattern operators the matcher does not
 * implement are noted.
 */
export function readEventRules(
  ctx: ReadingContext,
  functionIndex: ReadonlyMap<string, string>,
  queues: readonly QueueDef[],
): EventRuleDef[] {
  const rules: EventRuleDef[] = [];
  for (const [logicalId, resource] of resourcesOfType(ctx.template, 'AWS::Events::Rule')) {
    if (resource.Properties?.EventPattern === undefined) continue;
    try {
      rules.push(readEventRule(ctx, logicalId, resource.Properties, functionIndex, queues));
    } catch (error) {
      ctx.notes.push(`Rule ${logicalId}: not run locally: ${(error as Error).message}`);
    }
  }
  return rules;
}

function readEventRule(
  ctx: ReadingContext,
  logicalId: string,
  p: Record<string, unknown>,
  functionIndex: ReadonlyMap<string, string>,
  queues: readonly QueueDef[],
): EventRuleDef {
  const pattern = typeof p.EventPattern === 'string' ? safeParse(p.EventPattern) : ctx.resolver.resolve(p.EventPattern);
  const compiled = compilePattern(pattern);
  if (compiled.problems.length) {
    ctx.notes.push(`Rule ${logicalId}: its event pattern never matches locally: ${compiled.problems.join(' ')}`);
  }
  if (compiled.unsupported.length) {
    ctx.notes.push(
      `Rule ${logicalId}: pattern operator ${compiled.unsupported.join(', ')} is not emulated; conditions using it never match.`,
    );
  }
  const busName = busNameOf(ctx.resolver.resolve(p.EventBusName));
  const targets = ((p.Targets as Record<string, unknown>[] | undefined) ?? []).flatMap((target) => {
    const def = readTarget(ctx, logicalId, target, functionIndex, queues);
    return def ? [def] : [];
  });
  const identity = ctx.identities.get(logicalId);
  return {
    logicalId,
    name: identity?.ref ?? logicalId,
    arn: identity?.attributes.Arn ?? logicalId,
    busName,
    pattern,
    enabled: text(p.State) !== 'DISABLED',
    targets,
  };
}

/** A bus as a rule names it (name or ARN); `default` when it names none. */
function busNameOf(value: unknown): string {
  const name = text(value);
  if (!name) return 'default';
  return name.startsWith('arn:') ? (name.split(':event-bus/')[1] ?? name) : name;
}

/** Target settings EventBridge applies that the runtime does not, noted once per target. */
const NOT_EMULATED = ['DeadLetterConfig', 'RetryPolicy', 'RoleArn', 'HttpParameters'] as const;

function readTarget(
  ctx: ReadingContext,
  rule: string,
  target: Record<string, unknown>,
  functionIndex: ReadonlyMap<string, string>,
  queues: readonly QueueDef[],
): EventTargetDef | undefined {
  const id = text(target.Id) ?? '?';
  const arn = String(ctx.resolver.resolve(target.Arn));
  const ignored = NOT_EMULATED.filter((key) => target[key] !== undefined);
  if (ignored.length) {
    ctx.notes.push(
      `Rule ${rule}: target ${id}'s ${ignored.join(', ')} ${ignored.length > 1 ? 'are' : 'is'} not emulated.`,
    );
  }
  const input = inputOf(ctx, target);
  const functionLogicalId = functionIndex.get(arn);
  if (functionLogicalId) return { id, input, kind: 'lambda', functionLogicalId };
  const queue = queues.find((q) => q.arn === arn);
  if (queue) {
    const group = text((target.SqsParameters as Record<string, unknown> | undefined)?.MessageGroupId);
    return { id, input, kind: 'sqs', queueLogicalId: queue.logicalId, ...(group ? { messageGroupId: group } : {}) };
  }
  ctx.notes.push(`Rule ${rule}: target ${id} is not a queue or function of the stack; nothing is delivered to it.`);
  return undefined;
}

function inputOf(ctx: ReadingContext, target: Record<string, unknown>): TargetInputDef {
  const constant = text(ctx.resolver.resolve(target.Input));
  if (constant !== undefined) return { kind: 'constant', json: constant };
  const path = text(target.InputPath);
  if (path !== undefined) return { kind: 'path', path };
  const transformer = ctx.resolver.resolve(target.InputTransformer) as
    | { InputPathsMap?: Record<string, string>; InputTemplate?: string }
    | undefined;
  if (transformer?.InputTemplate !== undefined) {
    return { kind: 'transformer', pathsMap: transformer.InputPathsMap ?? {}, template: transformer.InputTemplate };
  }
  return { kind: 'event' };
}

function safeParse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
