import type { EventSourceDef } from '../plan.js';
import { type CfnResource, resourcesOfType, text } from './cfn.js';
import type { ReadingContext } from './reading-context.js';

/**
 * Every `AWS::Lambda::EventSourceMapping` from an SQS queue of the stack to a
 * function that runs locally; other mappings are noted and left out.
 */
export function readEventSources(ctx: ReadingContext, functionIndex: ReadonlyMap<string, string>): EventSourceDef[] {
  const eventSources: EventSourceDef[] = [];
  for (const [logicalId, resource] of resourcesOfType(ctx.template, 'AWS::Lambda::EventSourceMapping')) {
    const def = readEventSource(ctx, functionIndex, logicalId, resource);
    if (def) eventSources.push(def);
  }
  return eventSources;
}

function readEventSource(
  ctx: ReadingContext,
  functionIndex: ReadonlyMap<string, string>,
  logicalId: string,
  resource: CfnResource,
): EventSourceDef | undefined {
  const p = resource.Properties ?? {};
  const queueLogicalId = ctx.logicalIdByArn.get(text(ctx.resolver.resolve(p.EventSourceArn)) ?? '');
  const functionLogicalId = functionIndex.get(String(ctx.resolver.resolve(p.FunctionName)));
  if (!queueLogicalId || ctx.template.Resources[queueLogicalId]?.Type !== 'AWS::SQS::Queue' || !functionLogicalId) {
    ctx.notes.push(`Event source ${logicalId}: only SQS sources of local functions are polled; this one is ignored.`);
    return undefined;
  }
  if (p.FilterCriteria !== undefined) {
    ctx.notes.push(`Event source ${logicalId}: FilterCriteria are not applied locally.`);
  }
  const scaling = p.ScalingConfig as { MaximumConcurrency?: number } | undefined;
  const responseTypes = (p.FunctionResponseTypes as string[] | undefined) ?? [];
  return {
    logicalId,
    functionLogicalId,
    queueLogicalId,
    batchSize: Number(p.BatchSize ?? 10),
    maxBatchingWindowSeconds: Number(p.MaximumBatchingWindowInSeconds ?? 0),
    ...(scaling?.MaximumConcurrency !== undefined ? { maxConcurrency: Number(scaling.MaximumConcurrency) } : {}),
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
    enabled: p.Enabled !== false && p.Enabled !== 'false',
  };
}
