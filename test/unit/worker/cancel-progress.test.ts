import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../lambda/shared/errors.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { jobRecord, lambdaContext, sqsEvent } from '../../helpers/events.js';
import { waitFor } from '../../helpers/wait.js';
import { mockWorkerSqs } from '../../helpers/worker-sqs.js';
import { job, queued, workerDeps } from './fixtures.js';

mockWorkerSqs();

const context = { type: 'test.job', maxAttempts: 3 };

/** Waits for a moment of the attempt, polling every 2 ms: the races below are tens of milliseconds wide. */
const until = <T>(probe: () => T, done: (value: T) => boolean) =>
  waitFor(async () => probe(), done, { timeoutMs: 5000, intervalMs: 2 });

describe('cancellation in the worker', () => {
  it("acknowledges a cancelled job's message without running it", async () => {
    const deps = workerDeps();
    const record = job(deps.store, 'j1', { do: 'ok' });
    await deps.store.transition('j1', { to: 'cancelled' }, context);

    const response = await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls).toEqual([]);
    expect(deps.store.records.get('j1')?.status).toBe('cancelled');
    expect(deps.metrics.sum('cancelled')).toBe(1);
  });

  it('stops a running job that reports progress as soon as a report learns it was asked to stop', async () => {
    const deps = workerDeps({ markRunningAfterSeconds: 0 });
    const record = job(deps.store, 'j1', { do: 'wait-for-abort' });

    const run = processBatch(sqsEvent([record]), deps, lambdaContext());
    await until(
      () => deps.store.records.get('j1')?.status,
      (s) => s === 'running',
    );
    await deps.store.transition('j1', { to: 'running', requestCancel: true }, context);
    // The handler reports progress; the answer carries the request.
    await deps.calls[0]?.ctx.progress(10);
    const response = await run;

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls[0]?.ctx.signal.reason).toBeInstanceOf(CancelledError);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(deps.store.records.get('j1')).not.toHaveProperty('cancelRequested');
  });

  it('stops a running job that reports nothing through its periodic check', async () => {
    const deps = workerDeps({ markRunningAfterSeconds: 0 }, { cancelCheckMs: 20 });
    const record = job(deps.store, 'j1', { do: 'wait-for-abort' });

    const run = processBatch(sqsEvent([record]), deps, lambdaContext());
    await until(
      () => deps.store.records.get('j1')?.status,
      (s) => s === 'running',
    );
    await deps.store.transition('j1', { to: 'running', requestCancel: true }, context);
    await run;

    expect(deps.store.records.get('j1')?.status).toBe('cancelled');
    expect(deps.metrics.sum('cancelled')).toBe(1);
  });

  it('keeps a job cancelled that was cancelled after the worker read it, before it showed as running: its attempt is told to stop', async () => {
    // Cancel against start: the API cancels while the attempt runs its first, unrecorded moments.
    const deps = workerDeps({ markRunningAfterSeconds: 0.4 });
    const record = job(deps.store, 'j1', { do: 'wait-for-abort' });

    const run = processBatch(sqsEvent([record]), deps, lambdaContext());
    await until(
      () => deps.calls.length,
      (n) => n === 1,
    );
    expect(await deps.store.transition('j1', { to: 'cancelled' }, context)).toBe(true);
    const response = await run;

    expect(response.batchItemFailures).toEqual([]);
    expect(deps.calls[0]?.ctx.signal.aborted).toBe(true);
    expect(deps.store.records.get('j1')?.status).toBe('cancelled');
  });

  it('does not record the result of a short job cancelled while it ran before showing as running', async () => {
    const deps = workerDeps({ markRunningAfterSeconds: 1 });
    const record = job(deps.store, 'j1', { do: 'ok', sleepMs: 400 });

    const run = processBatch(sqsEvent([record]), deps, lambdaContext());
    await until(
      () => deps.calls.length,
      (n) => n === 1,
    );
    await deps.store.transition('j1', { to: 'cancelled' }, context);
    await run;

    expect(deps.store.records.get('j1')).toMatchObject({ status: 'cancelled' });
    expect(deps.store.records.get('j1')).not.toHaveProperty('result');
    expect(deps.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'the job was cancelled while it ran; its result is not recorded',
      }),
    );
  });

  it('lets a job that finishes though asked to stop succeed, and drops the request', async () => {
    // Cancel against finish: the handler ignores its signal and returns.
    const deps = workerDeps({ markRunningAfterSeconds: 0 });
    const record = job(deps.store, 'j1', { do: 'ok', sleepMs: 400 });

    const run = processBatch(sqsEvent([record]), deps, lambdaContext());
    await until(
      () => deps.store.records.get('j1')?.status,
      (s) => s === 'running',
    );
    await deps.store.transition('j1', { to: 'running', requestCancel: true }, context);
    await run;

    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', result: { echo: 'j1', attempt: 1 } });
    expect(deps.store.records.get('j1')).not.toHaveProperty('cancelRequested');
  });

  it('does not run the next attempt of a job asked to stop whose attempt ended without an outcome', async () => {
    const deps = workerDeps();
    queued(deps.store, 'j1', 'running', 1);
    await deps.store.transition('j1', { to: 'running', requestCancel: true }, context);

    await processBatch(
      sqsEvent([jobRecord('j1', 'test.job', { do: 'ok' }, { receiveCount: 2 })]),
      deps,
      lambdaContext(),
    );

    expect(deps.calls).toEqual([]);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'cancelled', attempts: 1 });
  });
});

describe('progress', () => {
  it('stores the first report with the running status, then at most one write a second, the latest value winning', async () => {
    const deps = workerDeps({ markRunningAfterSeconds: 5 });
    const reports: unknown[] = [];
    const store = deps.store;
    const report = store.reportProgress.bind(store);
    store.reportProgress = async (jobId, attempt, value) => {
      reports.push(value);
      return report(jobId, attempt, value);
    };
    // Five reports 10 ms apart, the first before the job shows as running; then the job runs 1.3 s more.
    const record = job(deps.store, 'j1', {
      do: 'report-progress',
      reports: [1, 2, 3, 4, 5],
      sleepMs: 10,
      thenMs: 1300,
    });

    const run = processBatch(sqsEvent([record]), deps, lambdaContext());
    const first = await until(
      () => deps.store.records.get('j1'),
      (r) => r?.progress === 1,
    );
    await run;

    expect(first?.status).toBe('running');
    // Reports 2 to 5 came within a second of the first: one write, of the last.
    expect(reports).toEqual([5]);
    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', progress: 5 });
  });

  it('stores the last report of a job that ends within the second with its outcome, at no extra write', async () => {
    const deps = workerDeps({ markRunningAfterSeconds: 0 });
    const record = job(deps.store, 'j1', { do: 'report-progress', reports: [10, 50, 90], sleepMs: 5 });

    await processBatch(sqsEvent([record]), deps, lambdaContext());

    expect(deps.store.records.get('j1')).toMatchObject({ status: 'succeeded', progress: 90 });
    expect(deps.store.log.map((e) => e.change.to)).toEqual(['running', 'succeeded']);
  });

  it('refuses progress that is not a finite number or a JSON object of at most 4 KB', async () => {
    const deps = workerDeps({ markRunningAfterSeconds: 0 });
    const record = job(deps.store, 'j1', { do: 'wait-for-abort' });
    // 600 ms: the job starts only with twice the 200 ms margin left, and the deadline ends it 400 ms later.
    // (With 400 ms, any millisecond before the first record left it unstarted, and the test waited in vain.)
    const run = processBatch(sqsEvent([record]), deps, lambdaContext(600));
    await until(
      () => deps.calls.length,
      (n) => n === 1,
    );
    const ctx = deps.calls[0]?.ctx;

    await expect(ctx?.progress(Number.NaN)).rejects.toThrow(/finite number or a JSON object/);
    await expect(ctx?.progress([1, 2] as never)).rejects.toThrow(/finite number or a JSON object/);
    await expect(ctx?.progress({ blob: 'x'.repeat(5000) })).rejects.toThrow(/at most 4096 bytes/);
    await expect(ctx?.progress({ step: 'resize', done: 2, of: 3 })).resolves.toBeUndefined();
    await run;
  });
});
