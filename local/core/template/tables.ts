import type { TableDef } from '../plan.js';
import { type CfnResource, resourcesOfType, text } from './cfn.js';
import type { ReadingContext } from './reading-context.js';

/** What a provisioned table or index gets when the template names no throughput. */
const DEFAULT_THROUGHPUT = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };

/** Every `AWS::DynamoDB::Table` and `GlobalTable`, as a CreateTable input, with its TTL attribute. */
export function readTables(ctx: ReadingContext): TableDef[] {
  return resourcesOfType(ctx.template, 'AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable').map(
    ([logicalId, resource]) => readTable(ctx, logicalId, resource),
  );
}

function readTable(ctx: ReadingContext, logicalId: string, resource: CfnResource): TableDef {
  const p = resource.Properties ?? {};
  const name = ctx.identities.get(logicalId)?.ref ?? logicalId;
  const billing = text(p.BillingMode) ?? 'PROVISIONED';
  const throughput = (t: unknown) =>
    billing === 'PAY_PER_REQUEST' ? {} : { ProvisionedThroughput: t ?? DEFAULT_THROUGHPUT };
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
  const create = ctx.resolver.resolve({
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
  if (pitr?.PointInTimeRecoveryEnabled) ctx.notes.push(`Table ${name}: point-in-time recovery is not emulated.`);
  return {
    logicalId,
    name,
    create,
    ...(ttl?.Enabled && ttl.AttributeName ? { ttlAttribute: ttl.AttributeName } : {}),
  };
}
