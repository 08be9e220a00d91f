import type { ScheduleDef, ScheduleTargetDef } from '../plan.js';
import { resourcesOfType, text } from './cfn.js';
import type { ReadingContext } from './reading-context.js';

/**
 * Every `AWS::Events::Rule` with a `ScheduleExpression`, with the local
 * functions among its targets. Other targets are noted and left out; rules
 * that match events are read by template/event-rules.ts.
 */
export function readSchedules(ctx: ReadingContext, functionIndex: ReadonlyMap<string, string>): ScheduleDef[] {
  const schedules: ScheduleDef[] = [];
  for (const [logicalId, resource] of resourcesOfType(ctx.template, 'AWS::Events::Rule')) {
    const p = resource.Properties ?? {};
    const expression = text(p.ScheduleExpression);
    if (!expression) continue;
    const targets: ScheduleTargetDef[] = [];
    for (const target of (p.Targets as Record<string, unknown>[] | undefined) ?? []) {
      const functionLogicalId = functionIndex.get(String(ctx.resolver.resolve(target.Arn)));
      if (!functionLogicalId) {
        ctx.notes.push(
          `Rule ${logicalId}: target ${text(target.Id) ?? '?'} is not a local function; it is not invoked.`,
        );
        continue;
      }
      const input = text(target.Input);
      targets.push({ functionLogicalId, ...(input !== undefined ? { input } : {}) });
    }
    const identity = ctx.identities.get(logicalId);
    schedules.push({
      logicalId,
      ruleArn: identity?.attributes.Arn ?? logicalId,
      expression,
      enabled: text(p.State) !== 'DISABLED',
      targets,
    });
  }
  return schedules;
}
