import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEASE_SHARDS } from '../../../lambda/shared/job.js';
import { DynamoJobStore, type LeasedJob } from '../../../lambda/shared/job-store.js';
import { type JobsTable, startJobsTable } from '../../helpers/dynalite-table.js';

const context = { type: 'simulate', maxAttempts: 3 };

/** The lease index as the stack declares it, on dynalite, so the store's queries are run for real. */
describe('DynamoJobStore.expiredLeases', () => {
  let table: JobsTable;
  let clock = new Date('2026-11-24T00:00:00Z');
  let store: DynamoJobStore;

  beforeAll(async () => {
    table = await startJobsTable({ leaseIndex: true });
    store = new DynamoJobStore({ doc: table.doc, tableName: table.tableName, retentionDays: 30, now: () => clock });
  });
  afterAll(() => table.close());

  it('finds, over every shard, the running jobs whose lease ended, and no job that left running', async () => {
    // Prepare: 40 jobs start with a 60 s lease; one of them finishes
    const ids = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    for (const id of ids) {
      await store.transition(id, { to: 'running', attempt: 1, messageId: `m-${id}`, leaseSeconds: 60 }, context);
    }
    await store.transition('job-7', { to: 'succeeded', attempt: 1, result: null }, context);
    const before = Math.floor(clock.getTime() / 1000);
    clock = new Date(clock.getTime() + 120_000);

    // Act
    const found: LeasedJob[] = [];
    for await (const job of store.expiredLeases(Math.floor(clock.getTime() / 1000))) found.push(job);
    const none: LeasedJob[] = [];
    for await (const job of store.expiredLeases(before)) none.push(job);

    // Assess
    expect(found.map((j) => j.jobId).sort()).toEqual(ids.filter((id) => id !== 'job-7').sort());
    expect(found[0]).toMatchObject({ type: 'simulate', status: 'running', attempts: 1, maxAttempts: 3 });
    expect(new Set(found.map((j) => (j as LeasedJob & { leaseShard: string }).leaseShard)).size).toBeGreaterThan(
      LEASE_SHARDS / 2,
    );
    expect(none).toEqual([]);
  });
});
