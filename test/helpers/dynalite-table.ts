import type { AddressInfo } from 'node:net';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
// @ts-expect-error dynalite ships no types
import dynalite from 'dynalite';
import { LEASE_INDEX } from '../../lambda/shared/job.js';

interface DynaliteServer {
  listen: (port: number, host: string, cb: () => void) => void;
  close: (cb: () => void) => void;
  address: () => AddressInfo;
}

/** A job table keyed by `jobId` on an in-process dynalite, and the document client the store uses. */
export interface JobsTable {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  close(): Promise<void>;
}

/** The lease index as the stack declares it (lib/job-table.ts), for tests that query it. */
const LEASE_INDEX_DEFINITION: Pick<CreateTableCommandInput, 'AttributeDefinitions' | 'GlobalSecondaryIndexes'> = {
  AttributeDefinitions: [
    { AttributeName: 'jobId', AttributeType: 'S' },
    { AttributeName: LEASE_INDEX.partitionKey, AttributeType: 'S' },
    { AttributeName: LEASE_INDEX.sortKey, AttributeType: 'N' },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: LEASE_INDEX.name,
      KeySchema: [
        { AttributeName: LEASE_INDEX.partitionKey, KeyType: 'HASH' },
        { AttributeName: LEASE_INDEX.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...LEASE_INDEX.attributes] },
    },
  ],
};

/**
 * Starts dynalite on a free loopback port and creates the table `jobs` in it,
 * with the lease index when asked, so a test runs the store's real conditions and queries.
 */
export async function startJobsTable(options: { readonly leaseIndex?: boolean } = {}): Promise<JobsTable> {
  const server = dynalite({ createTableMs: 0 }) as DynaliteServer;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${server.address().port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  await client.send(
    new CreateTableCommand({
      TableName: 'jobs',
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(options.leaseIndex
        ? LEASE_INDEX_DEFINITION
        : { AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }] }),
    }),
  );
  return {
    doc: DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: 'jobs',
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
