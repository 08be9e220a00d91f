import { describe, expect, it } from 'vitest';
import { planOf } from './fixtures.js';

const keys = {
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'status', AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
};
const byStatus = {
  IndexName: 'byStatus',
  KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
  Projection: { ProjectionType: 'KEYS_ONLY' },
};

describe('reading tables', () => {
  it('creates an on-demand table with its key schema and indexes, and no throughput', () => {
    // Act
    const [table] = planOf({
      Jobs: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { ...keys, BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexes: [byStatus] },
      },
    }).tables;
    // Assess
    expect(table).toEqual({
      logicalId: 'Jobs',
      name: 'Shop-Jobs',
      create: { TableName: 'Shop-Jobs', ...keys, BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexes: [byStatus] },
    });
  });

  it('gives a provisioned table and its indexes 5/5 capacity where the template names none', () => {
    // Prepare
    const throughput = { ReadCapacityUnits: 5, WriteCapacityUnits: 5 };
    // Act
    const [table] = planOf({
      Jobs: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { ...keys, TableName: 'jobs', GlobalSecondaryIndexes: [byStatus] },
      },
    }).tables;
    // Assess
    expect(table?.create).toMatchObject({
      TableName: 'jobs',
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: throughput,
      GlobalSecondaryIndexes: [{ ...byStatus, ProvisionedThroughput: throughput }],
    });
  });

  it('records the TTL attribute only when TTL is enabled', () => {
    // Act
    const plan = planOf({
      On: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { ...keys, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
      },
      Off: {
        Type: 'AWS::DynamoDB::Table',
        Properties: { ...keys, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: false } },
      },
    });
    // Assess
    expect(plan.tables.map((t) => [t.logicalId, t.ttlAttribute])).toEqual([
      ['On', 'expiresAt'],
      ['Off', undefined],
    ]);
  });

  it('notes that point-in-time recovery is not emulated', () => {
    // Act
    const plan = planOf({
      Jobs: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          ...keys,
          TableName: 'jobs',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
    });
    // Assess
    expect(plan.notes).toEqual(['Table jobs: point-in-time recovery is not emulated.']);
  });
});
