import { DeleteItemCommand, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { TableDef } from '../plan.js';

/**
 * Deletes the items whose TTL attribute has passed, as DynamoDB's TTL does
 * (dynalite has none). Each delete is conditional, so an item whose expiry moved
 * since the scan stays. Returns how many it deleted.
 */
export async function sweepExpired(
  dynamodb: DynamoDBClient,
  tables: readonly TableDef[],
  now = new Date(),
): Promise<number> {
  let deleted = 0;
  for (const table of tables) {
    if (table.ttlAttribute) deleted += await sweepTable(dynamodb, table, table.ttlAttribute, now);
  }
  return deleted;
}

async function sweepTable(dynamodb: DynamoDBClient, table: TableDef, ttlAttribute: string, now: Date) {
  const expired = {
    ExpressionAttributeNames: { '#ttl': ttlAttribute },
    ExpressionAttributeValues: { ':now': { N: String(Math.floor(now.getTime() / 1000)) } },
  };
  const keys = (table.create.KeySchema as { AttributeName: string }[]).map((k) => k.AttributeName);
  let deleted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: '#ttl < :now',
        ...expired,
        ...(start ? { ExclusiveStartKey: start as never } : {}),
      }),
    );
    for (const item of page.Items ?? []) {
      const key = Object.fromEntries(keys.map((k) => [k, item[k]]));
      await dynamodb
        .send(
          new DeleteItemCommand({
            TableName: table.name,
            Key: key as never,
            ConditionExpression: '#ttl < :now',
            ...expired,
          }),
        )
        .then(
          () => deleted++,
          () => undefined,
        );
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return deleted;
}
