import { describe, expect, it } from 'vitest';
import { crashBetweenSteps, TEST_CRASH_HEADER } from '../../../lambda/api/step-fault.js';
import { jobIdForKey, type SubmitStep, submitJobs } from '../../../lambda/api/submit.js';
import { memoryApiDeps } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';

/** What a crash of the execution environment looks like to the test: the submission stops there. */
class Crash extends Error {}

/** Deps whose API "dies" after `at`: nothing after that step runs, and no answer is given. */
function crashingAfter(at: SubmitStep) {
  const deps = memoryApiDeps();
  return {
    ...deps,
    afterStep: (step: SubmitStep) => {
      if (step === at) throw new Crash(step);
    },
  };
}

const job = (key?: string, payload: Record<string, unknown> = { sleepMs: 1 }) => ({
  type: 'simulate',
  payload,
  ...(key !== undefined ? { idempotencyKey: key } : {}),
});

describe('the submit path: the message is sent before the record is written', () => {
  it('leaves a message that carries the whole record, and no record, when the API stops after queueing', async () => {
    // Prepare
    const deps = crashingAfter('queued');

    // Act
    await expect(submitJobs([job('k-1')], deps)).rejects.toBeInstanceOf(Crash);

    // Assess: the worker will write the record from the message
    expect(deps.store.records.size).toBe(0);
    expect(deps.queue.sent).toHaveLength(1);
    const body = JSON.parse(deps.queue.sent[0]?.message.body ?? '');
    expect(body).toMatchObject({ jobId: jobIdForKey('k-1'), idempotencyKey: 'k-1', type: 'simulate' });
    expect(body.requestHash).toEqual(expect.any(String));
  });

  it('queues the job again and records it when the key is retried after that stop: a 202 that will run', async () => {
    // Prepare: the first request stopped between its steps
    const crashed = crashingAfter('queued');
    await expect(submitJobs([job('k-2')], crashed)).rejects.toBeInstanceOf(Crash);
    const { afterStep: _gone, ...retryDeps } = crashed;

    // Act
    const [result] = await submitJobs([job('k-2')], retryDeps);

    // Assess: two messages for one job (the worker runs it once), one record
    expect(result).toMatchObject({ ok: true, replayed: false, job: { jobId: jobIdForKey('k-2'), status: 'queued' } });
    expect(crashed.queue.sent.map((s) => JSON.parse(s.message.body).jobId)).toEqual([
      jobIdForKey('k-2'),
      jobIdForKey('k-2'),
    ]);
    expect(crashed.store.records.get(jobIdForKey('k-2'))).toMatchObject({ status: 'queued', idempotencyKey: 'k-2' });
  });

  it('answers a retry after a stop that followed the record from the record, and sends nothing more', async () => {
    // Prepare
    const crashed = crashingAfter('recorded');
    await expect(submitJobs([job('k-3')], crashed)).rejects.toBeInstanceOf(Crash);
    const { afterStep: _gone, ...retryDeps } = crashed;

    // Act
    const [result] = await submitJobs([job('k-3')], retryDeps);

    // Assess
    expect(result).toMatchObject({ ok: true, replayed: true, job: { jobId: jobIdForKey('k-3') } });
    expect(crashed.queue.sent).toHaveLength(1);
  });

  it('answers with the record its worker wrote first, when the worker ran the job before the API recorded it', async () => {
    // Prepare: the worker adopted the job from its message between the API's send and its write
    const deps = memoryApiDeps();
    const originalSend = deps.queue.send.bind(deps.queue);
    deps.queue.send = async (url, messages) => {
      const failed = await originalSend(url, messages);
      for (const m of messages) {
        const body = JSON.parse(m.body);
        deps.store.records.set(m.id, {
          jobId: m.id,
          type: 'simulate',
          status: 'succeeded',
          attempts: 1,
          maxAttempts: 3,
          createdAt: body.createdAt,
          updatedAt: body.createdAt,
          requestHash: body.requestHash,
        });
      }
      return failed;
    };

    // Act
    const [result] = await submitJobs([job()], deps);

    // Assess
    expect(result).toMatchObject({ ok: true, replayed: false, job: { status: 'succeeded', attempts: 1 } });
  });

  it('sends nothing for a key already recorded: a replay, or a 409 for another request with the same key', async () => {
    // Prepare
    const deps = memoryApiDeps();
    await submitJobs([job('k-4')], deps);

    // Act
    const [replay] = await submitJobs([job('k-4')], deps);
    const [conflict] = await submitJobs([job('k-4', { sleepMs: 2 })], deps);

    // Assess
    expect(replay).toMatchObject({ ok: true, replayed: true });
    expect(conflict).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('answers a key repeated within one batch with the first item’s job, or a 409 for another request, sending once', async () => {
    const deps = memoryApiDeps();

    const results = await submitJobs([job('k-5'), job('k-5'), job('k-5', { sleepMs: 9 })], deps);

    expect(results[0]).toMatchObject({ ok: true, replayed: false, job: { jobId: jobIdForKey('k-5') } });
    expect(results[1]).toMatchObject({ ok: true, replayed: true, job: { jobId: jobIdForKey('k-5') } });
    expect(results[2]).toMatchObject({ ok: false, error: { code: 'IDEMPOTENCY_CONFLICT' } });
    expect(deps.queue.sent).toHaveLength(1);
  });

  it('sends a batch’s messages in request order, keyed or not, so a FIFO group keeps its order', async () => {
    const deps = memoryApiDeps();

    await submitJobs([job(), job('k-6'), job(), job('k-7')], deps);

    const keys = deps.queue.sent.map((s) => JSON.parse(s.message.body).idempotencyKey ?? '-');
    expect(keys).toEqual(['-', 'k-6', '-', 'k-7']);
  });

  it('tells the fault point of each step that did something, in order, and of none when nothing was queued', async () => {
    const deps = memoryApiDeps();
    const steps: SubmitStep[] = [];

    await submitJobs([job('k-8')], { ...deps, afterStep: (s) => steps.push(s) });
    await submitJobs([job('k-8')], { ...deps, afterStep: (s) => steps.push(s) });

    expect(steps).toEqual(['queued', 'recorded']);
  });
});

describe('the test-only fault point between the steps', () => {
  const event = (headers: Record<string, string> = {}) =>
    apiEvent({ method: 'POST', resource: '/jobs', path: '/jobs', headers });

  it('is off unless the stack sets it, whatever the request asks', () => {
    expect(crashBetweenSteps(undefined, event({ [TEST_CRASH_HEADER]: 'queued' }))).toBeUndefined();
  });

  it('ends the process after the step the request names, and only then', () => {
    // Prepare
    const exit = process.exit;
    const exits: unknown[] = [];
    process.exit = ((code?: number) => {
      exits.push(code);
    }) as typeof process.exit;
    const hook = crashBetweenSteps(0, event({ 'X-QW-Test-Crash': 'recorded' }));

    // Act
    try {
      hook?.('queued');
      expect(exits).toEqual([]);
      hook?.('recorded');
    } finally {
      process.exit = exit;
    }

    // Assess
    expect(exits).toEqual([137]);
  });

  it('draws a share of the requests, and a step for each', () => {
    const draws = [0.1, 0.7];
    const random = () => draws.shift() ?? 0;

    expect(crashBetweenSteps(0.2, event(), random)).toEqual(expect.any(Function));
    expect(crashBetweenSteps(0.2, event(), () => 0.5)).toBeUndefined();
  });
});
