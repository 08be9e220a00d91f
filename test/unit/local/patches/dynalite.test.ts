/**
 * The parse cache patches/dynalite+4.0.0.patch adds to dynalite. These fail when
 * the patch stops applying, and when the cache answers differently than a parse would.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../../../local/core/local-aws.js';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as (options: object) => Server;
// The patch's own module (validations/parseCache.js, which it adds), read for its counters; dynalite's
// internal modules are driven only through the DynamoDB API.
const { parseCacheStats } = require('dynalite/validations/parseCache') as {
  parseCacheStats: () => { hits: number; misses: number; size: number };
};

let server: Server;
let ddb: DynamoDBClient;
const TableName = 'items';

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ddb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { ...THROWAWAY_CREDENTIALS },
    maxAttempts: 1,
  });
  await ddb.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  ddb?.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

/** An UpdateItem of item `pk`; resolves to the error message, or 'ok'. */
function update(pk: string, input: Omit<UpdateItemCommandInput, 'TableName' | 'Key'>): Promise<string> {
  return ddb.send(new UpdateItemCommand({ TableName, Key: { pk: { S: pk } }, ...input })).then(
    () => 'ok',
    (error: Error) => error.message,
  );
}

describe("dynalite's parse cache", () => {
  it("answers a repeated expression from the cache, with the new request's values", async () => {
    // Prepare
    const expression = {
      UpdateExpression: 'SET #s = :s, attempts = :n',
      ConditionExpression: 'attribute_not_exists(#s) OR #s <> :s',
      ExpressionAttributeNames: { '#s': 'status' },
    };
    const before = parseCacheStats();
    // Act
    await update('a', { ...expression, ExpressionAttributeValues: { ':s': { S: 'queued' }, ':n': { N: '1' } } });
    await update('a', { ...expression, ExpressionAttributeValues: { ':s': { S: 'running' }, ':n': { N: '2' } } });
    const item = await ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } } }));
    // Assess
    expect(parseCacheStats().hits - before.hits).toBeGreaterThanOrEqual(2);
    expect(item.Item).toEqual({ pk: { S: 'a' }, status: { S: 'running' }, attempts: { N: '2' } });
  });

  it('still refuses a value the expression does not use, on a hit too', async () => {
    // Prepare
    const input = {
      UpdateExpression: 'SET x = :x',
      ExpressionAttributeValues: { ':x': { N: '1' }, ':spare': { N: '2' } },
    };
    // Act
    const first = await update('b', input);
    const again = await update('b', input);
    // Assess
    expect(first).toMatch(/ExpressionAttributeValues unused in expressions: keys: \{:spare\}/);
    expect(again).toBe(first);
  });

  it('counts a value as used by a cached expression even when another expression of the first request used it first', async () => {
    // Prepare: the condition is cached while the update of the same request also uses :v.
    const condition = {
      ConditionExpression: 'attribute_not_exists(y) OR y <> :v',
      ExpressionAttributeValues: { ':v': { N: '1' } },
    };
    // Act
    const first = await update('c', { ...condition, UpdateExpression: 'SET y = :v' });
    const second = await update('c', { ...condition, UpdateExpression: 'REMOVE z' });
    // Assess
    expect(first).toBe('ok');
    expect(second).toMatch(/ConditionalCheckFailed|conditional request failed/i);
  });
});

describe("dynalite's parse cache: what it never caches, and its bound", () => {
  it('checks BETWEEN bounds on every request, as they are never cached', async () => {
    // Prepare
    const scan = (lo: string, hi: string) =>
      ddb
        .send(
          new ScanCommand({
            TableName,
            FilterExpression: 'attempts BETWEEN :lo AND :hi',
            ExpressionAttributeValues: { ':lo': { N: lo }, ':hi': { N: hi } },
          }),
        )
        .then(
          () => 'ok',
          (error: Error) => error.message,
        );
    // Act
    const valid = await scan('1', '5');
    const reversed = await scan('5', '1');
    // Assess
    expect(valid).toBe('ok');
    expect(reversed).toMatch(/BETWEEN operator requires upper bound to be greater than or equal to lower bound/);
  });

  it('checks the type name of attribute_type on every request, as it is never cached', async () => {
    // Prepare
    const check = (typeName: string) =>
      update('d', {
        UpdateExpression: 'SET x = :one',
        ConditionExpression: 'attribute_not_exists(x) OR attribute_type(x, :t)',
        ExpressionAttributeValues: { ':one': { N: '1' }, ':t': { S: typeName } },
      });
    // Act
    const valid = await check('N');
    const invalid = await check('NUMBER');
    // Assess
    expect(valid).toBe('ok');
    expect(invalid).toMatch(/Invalid attribute type name found; type: NUMBER/);
  });

  it('keeps at most 1,000 trees per parser, dropping the oldest', async () => {
    // Prepare: 1,100 distinct projections, each parsed once by the projection parser (through GetItem)
    const get = (i: number) =>
      ddb.send(new GetItemCommand({ TableName, Key: { pk: { S: 'a' } }, ProjectionExpression: `attr${i}` }));
    const before = parseCacheStats().size;
    // Act
    for (let i = 0; i < 1_100; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => get(i + j)));
    // Assess
    expect(parseCacheStats().size - before).toBeLessThanOrEqual(1_000);
    expect(parseCacheStats().size - before).toBeGreaterThanOrEqual(900);
  });
});
