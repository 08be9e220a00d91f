import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../lambda/reconciler/reconcile.js';
import type { JobRecord } from '../../../lambda/shared/job.js';
import type { FinishedJob } from '../../../lambda/shared/job-finished.js';
import { MemoryJobStore } from '../../helpers/memory-store.js';
import { RecordingLogger } from '../worker/fixtures.js';

const NOW = new Date('2026-11-24T00:00:00Z');
const nowSeconds = NOW.getTime() / 1000;
const policy = { graceSeconds: 60, stalledAfterSeconds: 300 };

/** A running job whose lease ended `endedAgo` seconds ago. */
function running(store: MemoryJobStore, jobId: string, attempts: number, endedAgo: number): void {
  const record: JobRecord = {
    jobId,
    type: 'simulate',
    status: 'running',
    attempts,
    maxAttempts: 3,
    createdAt: 'c',
    updatedAt: 'u',
    lastMessageId: 'm1',
    leaseExpiresAt: nowSeconds - endedAgo,
    leaseShard: '3',
  };
  store.records.set(jobId, record);
}

function setup() {
  const store = new MemoryJobStore({ now: () => NOW });
  const logger = new RecordingLogger();
  return { store, logger, deps: { store, logger, policy, now: () => NOW } };
}

describe('reconcile', () => {
  it('fails a job whose worker stopped during its last attempt, once the grace after its lease has passed', async () => {
    // Prepare
    const { store, deps } = setup();
    running(store, 'dead', 3, 61);

    // Act
    const report = await reconcile(deps);

    // Assess
    expect(report.expired).toEqual(['dead']);
    expect(store.records.get('dead')).toMatchObject({
      status: 'failed',
      attempts: 3,
      error: { code: 'DEAD_LETTERED' },
    });
    expect(store.records.get('dead')).not.toHaveProperty('leaseExpiresAt');
    expect(report.counts.get('simulate')).toEqual({ expired: 1, stalled: 0 });
  });

  it('tells the listener of each job it failed, and only of those', async () => {
    const { store, deps } = setup();
    running(store, 'dead', 3, 61);
    running(store, 'recent', 3, 30);
    const told: FinishedJob[] = [];

    await reconcile({ ...deps, onFinished: async (job) => void told.push(job) });
    await reconcile({ ...deps, onFinished: async (job) => void told.push(job) });

    expect(told).toEqual([
      {
        jobId: 'dead',
        type: 'simulate',
        status: 'failed',
        attempts: 3,
        error: expect.objectContaining({ code: 'DEAD_LETTERED' }),
        finishedAt: NOW.toISOString(),
      },
    ]);
  });

  it('leaves a last attempt within the grace to the worker, which dead-letters it when the message comes back', async () => {
    const { store, deps } = setup();
    running(store, 'recent', 3, 30);

    const report = await reconcile(deps);

    expect(report.expired).toEqual([]);
    expect(store.records.get('recent')?.status).toBe('running');
  });

  it('leaves an earlier attempt to SQS, and reports it stalled once no new attempt started long after its lease', async () => {
    const { store, logger, deps } = setup();
    running(store, 'waiting', 1, 120);
    running(store, 'stuck', 2, 301);

    const report = await reconcile(deps);

    expect(report.stalled).toEqual(['stuck']);
    expect(store.records.get('stuck')?.status).toBe('running');
    expect(store.records.get('waiting')?.status).toBe('running');
    expect(logger.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', extra: expect.objectContaining({ jobId: 'stuck', attempt: 2 }) }),
    );
  });

  it('leaves running jobs whose lease still holds', async () => {
    const { store, deps } = setup();
    running(store, 'alive', 3, -120);

    const report = await reconcile(deps);

    expect(report).toMatchObject({ expired: [], stalled: [] });
  });

  it('logs a write that fails and goes on with the other jobs', async () => {
    // Prepare: the table refuses the first write
    const { store, logger, deps } = setup();
    running(store, 'a', 3, 100);
    running(store, 'b', 3, 100);
    const transition = store.transition.bind(store);
    let calls = 0;
    store.transition = (...args) => (calls++ === 0 ? Promise.reject(new Error('throttled')) : transition(...args));

    // Act
    const report = await reconcile(deps);

    // Assess
    expect(report.expired).toHaveLength(1);
    expect(logger.lines.some((l) => l.message.startsWith('could not fail a job'))).toBe(true);
  });
});
