import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createJobClient, type JobView } from '../src/index.js';
import { type FakeApi, startFakeApi, view } from './support/api-server.js';

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi();
});

afterAll(() => api.close());

beforeEach(() => {
  api.received.length = 0;
});

const client = () => createJobClient({ url: api.url, auth: 'none', retry: { baseDelayMs: 1 } });

/** Answers GET /jobs/{id} with each of `views` in turn, the last one for ever after. */
function sequence(...views: Record<string, unknown>[]) {
  api.answer((_r, i) => ({ status: 200, body: views[Math.min(i, views.length - 1)] }));
}

describe('waitFor', () => {
  it('reads until the job has succeeded, telling onUpdate every view, the last one included', async () => {
    // Prepare
    sequence(
      view(),
      view({ status: 'running', attempts: 1 }),
      view({ status: 'retrying', attempts: 1, error: { code: 'RETRYABLE', message: 'try again' } }),
      view({ status: 'succeeded', attempts: 2, result: { attempt: 2 } }),
    );
    const seen: string[] = [];

    // Act
    const job = await client().waitFor('job-1', {
      pollIntervalMs: 1,
      onUpdate: (j) => {
        seen.push(`${j.status}/${j.attempts}`);
      },
    });

    // Assess
    expect(job).toMatchObject({ status: 'succeeded', attempts: 2, result: { attempt: 2 } });
    expect(seen).toEqual(['queued/0', 'running/1', 'retrying/1', 'succeeded/2']);
    expect(api.received.map((r) => `${r.method} ${r.url}`)).toEqual(Array(4).fill('GET /jobs/job-1'));
  });

  it('resolves with a failed job too, with its error: waiting is not judging', async () => {
    // Prepare
    sequence(view({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE', message: 'boom' } }));

    // Act
    const job = await client().waitFor('job-1');

    // Assess
    expect(job).toMatchObject({ status: 'failed', error: { code: 'NON_RETRYABLE', message: 'boom' } });
  });

  it('awaits onUpdate before the next read, and ends with the error onUpdate throws', async () => {
    // Prepare
    sequence(view({ status: 'running', attempts: 1 }));
    let updates = 0;

    // Act
    const error = await client()
      .waitFor('job-1', {
        pollIntervalMs: 1,
        onUpdate: async () => {
          updates += 1;
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (updates === 3) throw new Error('enough');
        },
      })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toEqual(new Error('enough'));
    expect(api.received).toHaveLength(3);
  });

  it('stops at once when the signal aborts while it sleeps, rejecting with the reason and reading no more', async () => {
    // Prepare
    sequence(view({ status: 'running', attempts: 1 }));
    const controller = new AbortController();
    const views: JobView[] = [];

    // Act
    const pending = client()
      .waitFor('job-1', { signal: controller.signal, pollIntervalMs: 60_000, onUpdate: (j) => void views.push(j) })
      .catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await pending;

    // Assess
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(views).toHaveLength(1);
    expect(api.received).toHaveLength(1);
  });

  it('rejects at once, reading nothing, with a signal that is already aborted', async () => {
    // Act
    const error = await client()
      .waitFor('job-1', { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(api.received).toHaveLength(0);
  });

  it('gives up after timeoutMs with WAIT_TIMEOUT and the last view, reading once more at the deadline', async () => {
    // Prepare
    sequence(view({ status: 'running', attempts: 1 }));
    const started = Date.now();

    // Act
    const error = await client()
      .waitFor('job-1', { timeoutMs: 400, pollIntervalMs: 10_000 })
      .catch((e: unknown) => e);

    // Assess
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toMatchObject({
      code: 'WAIT_TIMEOUT',
      status: undefined,
      message: 'Job job-1 is still running after 400 ms; it goes on.',
      details: { jobId: 'job-1', job: { status: 'running' } },
    });
    expect(api.received).toHaveLength(2);
  });

  it("checks a submission's type when it is given one", async () => {
    // Prepare
    sequence(view({ type: 'webhook.deliver', status: 'succeeded', result: null }));

    // Act
    const error = await client()
      .waitFor({ jobId: 'job-1', type: 'simulate' })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'TYPE_MISMATCH' });
  });

  it('ends with NOT_FOUND for a job the API does not know', async () => {
    // Prepare
    api.answer(() => ({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'No job "nope".' } } }));

    // Act
    const error = await client()
      .waitFor('nope')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'NOT_FOUND', status: 404, message: 'No job "nope".' });
  });
});
