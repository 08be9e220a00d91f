import { describe, expect, it } from 'vitest';
import {
  itemSize,
  readUnits,
  type TableShape,
  tableShape,
  valueSize,
  type WireItem,
  writeCost,
  writeUnits,
} from '../../../../local/core/metering/dynamodb-units.js';

describe('DynamoDB item sizes, as the developer guide computes them', () => {
  it('counts strings in UTF-8 bytes and attribute names with their values', () => {
    expect(itemSize({ id: { S: 'abc' } })).toBe(2 + 3);
    expect(valueSize({ S: 'é€' })).toBe(2 + 3);
  });

  it('counts numbers as one byte per two significant digits plus one', () => {
    expect(valueSize({ N: '7' })).toBe(2);
    expect(valueSize({ N: '1234' })).toBe(3);
    expect(valueSize({ N: '-0.00123000' })).toBe(3);
    expect(valueSize({ N: '1795980237859' })).toBe(8);
    expect(valueSize({ N: '1700000000000' })).toBe(2);
  });

  it('counts booleans and null as one byte, binary as its decoded bytes, sets as their members', () => {
    expect(valueSize({ BOOL: true })).toBe(1);
    expect(valueSize({ NULL: true })).toBe(1);
    expect(valueSize({ B: Buffer.from('hello').toString('base64') })).toBe(5);
    expect(valueSize({ SS: ['a', 'bc'] })).toBe(3);
  });

  it('adds 3 bytes to a list or map and one to each element', () => {
    expect(valueSize({ L: [{ S: 'a' }, { N: '1' }] })).toBe(3 + (1 + 1) + (1 + 2));
    expect(valueSize({ M: { k: { S: 'v' } } })).toBe(3 + 1 + 1 + 1);
  });
});

describe('request units', () => {
  it('charges reads per 4 KB, half for an eventually consistent read, at least one unit', () => {
    expect(readUnits(0, true)).toBe(1);
    expect(readUnits(4096, true)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
    expect(readUnits(100, false)).toBe(0.5);
  });

  it('charges writes per 1 KB, at least one unit', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });
});

const leases: TableShape = tableShape({
  TableName: 'jobs',
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'leases',
      KeySchema: [
        { AttributeName: 'leaseShard', KeyType: 'HASH' },
        { AttributeName: 'leaseExpiresAt', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  ],
});

const queued: WireItem = { pk: { S: 'job#1' }, status: { S: 'queued' } };
const running = (expires: string): WireItem => ({
  ...queued,
  status: { S: 'running' },
  leaseShard: { N: '3' },
  leaseExpiresAt: { N: expires },
});

describe('writeCost', () => {
  it('charges a new item its size on the table and nothing on an index it is not in', () => {
    expect(writeCost(leases, undefined, queued, false)).toEqual({ table: 1, indexes: 0 });
  });

  it('charges the larger of the item before and after', () => {
    const big: WireItem = { ...queued, result: { S: 'x'.repeat(1500) } };
    expect(writeCost(leases, big, queued, false).table).toBe(2);
    expect(writeCost(leases, queued, big, false).table).toBe(2);
  });

  it('writes an index once when an item enters it or leaves it', () => {
    expect(writeCost(leases, queued, running('100'), false)).toEqual({ table: 1, indexes: 1 });
    expect(writeCost(leases, running('100'), { ...queued, status: { S: 'succeeded' } }, false)).toEqual({
      table: 1,
      indexes: 1,
    });
  });

  it('writes an index twice when an item moves within it (a delete and a put)', () => {
    expect(writeCost(leases, running('100'), running('200'), false)).toEqual({ table: 1, indexes: 2 });
  });

  it('leaves a keys-only index alone when only an attribute it does not project changes', () => {
    const before = running('100');
    const after = { ...before, progress: { N: '50' } };
    expect(writeCost(leases, before, after, false)).toEqual({ table: 1, indexes: 0 });
  });

  it('writes an index that projects everything whenever its item changes', () => {
    const all = tableShape({
      TableName: 'jobs',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [{ IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }] }],
    });
    expect(writeCost(all, queued, { ...queued, note: { S: 'n' } }, false)).toEqual({ table: 1, indexes: 1 });
  });

  it('still charges a write whose condition failed, by the existing item, and no index', () => {
    const big: WireItem = { ...running('100'), result: { S: 'x'.repeat(3000) } };
    expect(writeCost(leases, big, big, true)).toEqual({ table: 3, indexes: 0 });
    expect(writeCost(leases, undefined, undefined, true)).toEqual({ table: 1, indexes: 0 });
  });
});
