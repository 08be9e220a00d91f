import type { SchedulerScheduleDef, SchedulerTargetDef } from '../plan.js';
import { parseExpression } from '../schedules/expression.js';
import { resourcesOfType, text } from './cfn.js';
import type { ReadingContext } from './reading-context.js';

/** Scheduler's retry policy when the template sets none: 185 retries over 24 hours. */
const DEFAULT_RETRY = { maxAttempts: 185, maxAgeSeconds: 86_400 } as const;

/**
 * Every `AWS::Scheduler::Schedule` whose target is a local queue or function.
 * Other targets, and expressions the runtime cannot compute, are noted and left out.
 */
export function readSchedulerSchedules(
  ctx: ReadingContext,
  functionIndex: ReadonlyMap<string, string>,
): SchedulerScheduleDef[] {
  const schedules: SchedulerScheduleDef[] = [];
  for (const [logicalId, resource] of resourcesOfType(ctx.template, 'AWS::Scheduler::Schedule')) {
    const p = ctx.resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
    const targetProps = (p.Target ?? {}) as Record<string, unknown>;
    const target = targetOf(ctx, functionIndex, targetProps);
    if (!target) {
      ctx.notes.push(
        `Schedule ${logicalId}: its target ${text(targetProps.Arn)} is not a local queue or function; it is not run.`,
      );
      continue;
    }
    const expression = text(p.ScheduleExpression) ?? '';
    const timezone = text(p.ScheduleExpressionTimezone) ?? 'UTC';
    const timing = parseExpression(expression, timezone);
    if (timing.kind === 'unsupported') {
      ctx.notes.push(`Schedule ${logicalId}: ${timing.reason} It is not run locally.`);
      continue;
    }
    if (text((p.FlexibleTimeWindow as Record<string, unknown> | undefined)?.Mode) === 'FLEXIBLE') {
      ctx.notes.push(`Schedule ${logicalId}: its flexible time window is not applied; it fires on time.`);
    }
    const identity = ctx.identities.get(logicalId);
    const retry = (targetProps.RetryPolicy ?? {}) as Record<string, unknown>;
    const input = text(targetProps.Input);
    const startDate = text(p.StartDate);
    const endDate = text(p.EndDate);
    const deadLetterQueueName = queueNameOf(ctx, text((targetProps.DeadLetterConfig as Record<string, unknown>)?.Arn));
    schedules.push({
      logicalId,
      name: identity?.ref ?? logicalId,
      group: text(p.GroupName) ?? 'default',
      arn: identity?.attributes.Arn ?? logicalId,
      expression,
      timezone,
      enabled: text(p.State) !== 'DISABLED',
      ...(startDate ? { startDate } : {}),
      ...(endDate ? { endDate } : {}),
      target,
      ...(input !== undefined ? { input } : {}),
      retry: {
        maxAttempts: Number(retry.MaximumRetryAttempts ?? DEFAULT_RETRY.maxAttempts),
        maxAgeSeconds: Number(retry.MaximumEventAgeInSeconds ?? DEFAULT_RETRY.maxAgeSeconds),
      },
      ...(deadLetterQueueName ? { deadLetterQueueName } : {}),
    });
  }
  return schedules;
}

function targetOf(
  ctx: ReadingContext,
  functionIndex: ReadonlyMap<string, string>,
  target: Record<string, unknown>,
): SchedulerTargetDef | undefined {
  const arn = text(target.Arn) ?? '';
  const functionLogicalId = functionIndex.get(arn);
  if (functionLogicalId) return { kind: 'lambda', functionLogicalId };
  const queueLogicalId = ctx.logicalIdByArn.get(arn);
  const queueName = queueNameOf(ctx, arn);
  if (!queueLogicalId || !queueName) return undefined;
  const groupId = text((target.SqsParameters as Record<string, unknown> | undefined)?.MessageGroupId);
  return { kind: 'sqs', queueLogicalId, queueName, ...(groupId ? { messageGroupId: groupId } : {}) };
}

/** The name of the local queue with this ARN, if the template declares it. */
function queueNameOf(ctx: ReadingContext, arn: string | undefined): string | undefined {
  const logicalId = arn ? ctx.logicalIdByArn.get(arn) : undefined;
  const resource = logicalId ? ctx.template.Resources[logicalId] : undefined;
  return resource?.Type === 'AWS::SQS::Queue' ? ctx.identities.get(logicalId ?? '')?.attributes.QueueName : undefined;
}
