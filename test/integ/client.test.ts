import { createJobClient, JobApiError, type JobView } from '@queue-workers/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobTypes } from '../../lambda/jobs/registry.js';
import type { LocalRuntime } from '../../local/index.js';
import { startFixtureRuntime } from './helpers.js';

let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startFixtureRuntime();
});

afterAll(async () => {
  await runtime?.stop();
});

/** The client as a web app would make it for `npm start`: typed by the registry, no auth. */
const typed = () => createJobClient<JobTypes>({ url: runtime.url, auth: 'none' });

/** What a failed call rejected with. */
const failure = (call: Promise<unknown>) =>
  call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => error,
  );

describe('@queue-workers/client on the local runtime', () => {
  it('submits a job and waits for its result, telling onUpdate each view', async () => {
    // Prepare
    const jobs = typed();
    const seen: JobView[] = [];

    // Act
    // Long enough that reads every 250 ms see it running.
    const accepted = await jobs.submit('simulate', { sleepMs: 1500 });
    const done = await jobs.waitFor(accepted, { timeoutMs: 30_000, onUpdate: (job) => void seen.push(job) });

    // Assess
    expect(accepted).toMatchObject({
      type: 'simulate',
      status: 'queued',
      statusUrl: `${runtime.url}/v1/jobs/${accepted.jobId}`,
    });
    expect(done).toMatchObject({ jobId: accepted.jobId, status: 'succeeded', attempts: 1, result: { attempt: 1 } });
    expect(seen.map((j) => j.status)).toContain('running');
    expect(seen.at(-1)).toEqual(done);
  });

  it('follows a job through a retry, and resolves with a failed job and its error', async () => {
    // Prepare
    const jobs = typed();

    // Act
    const retried = await jobs.waitFor(await jobs.submit('simulate', { failTimes: 1 }), { timeoutMs: 60_000 });
    const failed = await jobs.waitFor(await jobs.submit('simulate', { fatal: true }), { timeoutMs: 30_000 });

    // Assess
    expect(retried).toMatchObject({ status: 'succeeded', attempts: 2, result: { attempt: 2 } });
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE' } });
  });

  it('gives the same job for the same idempotency key: what makes a retried submission safe', async () => {
    // Prepare
    const jobs = typed();
    const idempotencyKey = `integ-${Date.now().toString(36)}`;

    // Act
    const first = await jobs.submit('simulate', { sleepMs: 1 }, { idempotencyKey });
    const again = await jobs.submit('simulate', { sleepMs: 1 }, { idempotencyKey });

    // Assess
    expect(again.jobId).toBe(first.jobId);
  });

  it('submits 150 jobs in two requests, with the results in order, and waits for all of them', async () => {
    // Prepare
    const jobs = typed();
    const items = Array.from({ length: 150 }, (_v, i) => ({ type: 'simulate' as const, payload: { sleepMs: i % 3 } }));

    // Act
    const batch = await jobs.submitBatch(items);
    const ids = batch.results.map((r) => ('jobId' in r ? r.jobId : ''));
    const done = await Promise.all(ids.map((id) => jobs.waitFor(id, { timeoutMs: 90_000, pollIntervalMs: 1000 })));

    // Assess
    expect(batch).toMatchObject({ accepted: 150, rejected: 0 });
    expect(new Set(ids).size).toBe(150);
    expect(done.every((j) => j.status === 'succeeded')).toBe(true);
  });

  it("rejects a payload the type's schema refuses with VALIDATION_ERROR, naming the field", async () => {
    // Prepare: the untyped client, as the compiler would refuse this call on the typed one.
    const jobs = createJobClient({ url: runtime.url, auth: 'none' });

    // Act
    const error = await failure(jobs.submit('simulate', { sleepMs: 'soon' }));

    // Assess
    expect(error).toBeInstanceOf(JobApiError);
    expect(error).toMatchObject({
      code: 'VALIDATION_ERROR',
      status: 400,
      details: [{ path: 'payload.sleepMs', message: expect.any(String) }],
      requestId: expect.any(String),
    });
  });

  it('rejects an unknown type with UNKNOWN_JOB_TYPE, listing the known ones', async () => {
    // Act
    const error = await failure(createJobClient({ url: runtime.url, auth: 'none' }).submit('image.resize', {}));

    // Assess
    expect(error).toMatchObject({
      code: 'UNKNOWN_JOB_TYPE',
      status: 400,
      details: { type: 'image.resize', known: ['simulate', 'webhook.deliver', 'image.thumbnail'] },
    });
  });

  it('reads a job with its type, and refuses it under another type', async () => {
    // Prepare
    const jobs = typed();
    const { jobId } = await jobs.submit('simulate', {});

    // Act
    const view = await jobs.get('simulate', jobId);
    const error = await failure(jobs.get('webhook.deliver', jobId));

    // Assess
    expect(view).toMatchObject({ jobId, type: 'simulate' });
    expect(error).toMatchObject({ code: 'TYPE_MISMATCH' });
  });

  it('answers NOT_FOUND for a job id the table does not hold', async () => {
    // Act
    const error = await failure(typed().get('00000000-0000-4000-8000-000000000000'));

    // Assess
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it("starts a redrive of a type's dead-letter queue with a move task, as the local SQS has them", async () => {
    // Act
    const accepted = await typed().redrive('simulate');

    // Assess
    expect(accepted).toMatchObject({ type: 'simulate', method: 'StartMessageMoveTask' });
    expect(accepted.taskHandle).toEqual(expect.any(String));
  });
});
