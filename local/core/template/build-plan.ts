import type { LocalPlan } from '../plan.js';
import { readBuckets } from './buckets.js';
import type { CfnTemplate } from './cfn.js';
import { readEventBuses, readEventRules } from './event-rules.js';
import { readEventSources } from './event-sources.js';
import { functionIndex, readFunctions } from './functions.js';
import type { StackContext } from './identities.js';
import { readQueues } from './queues.js';
import { createReadingContext } from './reading-context.js';
import { readRestApis } from './rest-apis.js';
import { readSchedulerSchedules } from './scheduler-schedules.js';
import { readSchedules } from './schedules.js';
import { readSecrets } from './secrets.js';
import { readTables } from './tables.js';

/** Which stack a template is, where its queues are, and where its assets are. */
export interface PlanContext extends StackContext {
  /** The cloud assembly's directory: function assets are relative to it. */
  readonly outDir: string;
}

/**
 * What the runtime must build for a template: each resource type read on its
 * own, every intrinsic resolved to the local names, and a note for each thing
 * that behaves differently locally.
 */
export function buildPlan(template: CfnTemplate, stack: PlanContext): LocalPlan {
  const ctx = createReadingContext(template, stack);
  const queues = readQueues(ctx);
  const tables = readTables(ctx);
  const buckets = readBuckets(ctx);
  const functions = readFunctions(ctx);
  const index = functionIndex(functions);
  const eventSources = readEventSources(ctx, index);
  const apis = readRestApis(ctx, index);
  const schedules = readSchedules(ctx, index);
  const schedulerSchedules = readSchedulerSchedules(ctx, index);
  const eventBuses = readEventBuses(ctx);
  const eventRules = readEventRules(ctx, index, queues);
  const secrets = readSecrets(ctx);
  return {
    stackName: stack.stackName,
    region: stack.region,
    queues,
    tables,
    buckets,
    functions,
    eventSources,
    apis,
    schedules,
    schedulerSchedules,
    eventBuses,
    eventRules,
    secrets,
    notes: ctx.notes,
  };
}
