/**
 * What the console knows that the runtime does not: which functions are job
 * workers (their JOB_TYPE variable), which table holds the jobs, and for how
 * long. All of it is read from the plan: the environment the stack gives its functions.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_RETENTION_DAYS, ENV } from '../../lambda/shared/config.js';
import { DynamoJobStore } from '../../lambda/shared/job-store.js';
import { attemptsOfMaxReceiveCount, type JobTypeQueues } from '../../ops/job-types.js';
import type { LocalPlan } from '../core/plan.js';

/** The job types a plan runs: each SQS-driven function with a JOB_TYPE, its queue and its DLQ. */
export function jobTypesOfPlan(plan: LocalPlan, queueUrl: (name: string) => string): JobTypeQueues[] {
  const types: JobTypeQueues[] = [];
  for (const mapping of plan.eventSources) {
    const fn = plan.functions.find((f) => f.logicalId === mapping.functionLogicalId);
    const type = fn?.environment[ENV.jobType];
    const queue = plan.queues.find((q) => q.logicalId === mapping.queueLogicalId);
    const dlq = plan.queues.find((q) => q.logicalId === queue?.deadLetterQueue);
    if (!type || !queue || !dlq) continue;
    types.push({
      type,
      queueName: queue.name,
      queueUrl: queueUrl(queue.name),
      queueArn: queue.arn,
      dlqName: dlq.name,
      dlqUrl: queueUrl(dlq.name),
      dlqArn: dlq.arn,
      ...(queue.maxReceiveCount ? { maxAttempts: attemptsOfMaxReceiveCount(queue.maxReceiveCount) } : {}),
    });
  }
  return types;
}

/** The job table: the one the functions are given, else the plan's only table. */
export function jobTableName(plan: LocalPlan): string {
  const fromEnv = plan.functions.map((f) => f.environment[ENV.tableName]).find(Boolean);
  return fromEnv ?? plan.tables[0]?.name ?? '';
}

/** How many days a job is kept, as the functions are told; the project's default otherwise. */
export function retentionDaysOf(plan: LocalPlan): number {
  const days = Number(plan.functions.map((f) => f.environment[ENV.retentionDays]).find(Boolean));
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS;
}

/** The first job type a function runs, for the banner's example request. */
export function firstJobType(plan: LocalPlan): string | undefined {
  return plan.functions.map((f) => f.environment[ENV.jobType]).find(Boolean);
}

/** The app's job store on the local table, built as its functions build theirs: same table, same retention. */
export function jobStoreOf(plan: LocalPlan, doc: DynamoDBDocumentClient): DynamoJobStore {
  return new DynamoJobStore({ doc, tableName: jobTableName(plan), retentionDays: retentionDaysOf(plan) });
}
