import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { jobIdForKey } from '../../lambda/api/submit.js';
import type { JobRecord } from '../../lambda/shared/job.js';
import { CHAOS_WORKER_TIMEOUT_SECONDS } from './fixtures/app.js';
import {
  EXPECTED,
  emulatorClients,
  faultCostAttempt,
  freePort,
  type KeyedAnswers,
  type KeyedPlan,
  linesByJob,
  type PlannedJob,
  type RuntimeProcess,
  ran,
  startRuntimeProcess,
  submitAll,
  submitKeyed,
  unansweredPart,
} from './support.js';

/** The chaos fixture's simulate: 3 attempts, a 12 s visibility timeout (and lease), backoff capped at 30 s. */
const MAX_ATTEMPTS = 3;
const VISIBILITY_SECONDS = 6 * CHAOS_WORKER_TIMEOUT_SECONDS;
const BACKOFF_CAP_SECONDS = 30;
/**
 * The documented bound (docs/reliability.md): no job stays non-terminal longer
 * than attempts x (visibility timeout + backoff cap), plus a few minutes
 * (the reconciler's schedule and grace, and here a restart).
 */
const BOUND_SECONDS = MAX_ATTEMPTS * (VISIBILITY_SECONDS + BACKOFF_CAP_SECONDS) + 180;

const stateDirs: string[] = [];
const running: RuntimeProcess[] = [];
function newStateDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'qw-chaos-'));
  stateDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop().catch(() => undefined)));
  for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
});

/** 5,000 jobs of every kind, in a fixed mix; keyed jobs are submitted twice, the second time at the end. */
function plannedJobs(count: number): PlannedJob[] {
  const jobs: PlannedJob[] = [];
  const keyed: PlannedJob[] = [];
  for (let i = 0; i < count; i++) {
    const r = i % 100;
    const kind: PlannedJob['kind'] = r < 70 ? 'ok' : r < 80 ? 'retry' : r < 88 ? 'exhaust' : r < 93 ? 'fatal' : 'keyed';
    const payload =
      kind === 'retry'
        ? { failTimes: 1 }
        : kind === 'exhaust'
          ? { failTimes: 9 }
          : kind === 'fatal'
            ? { fatal: true }
            : { sleepMs: i % 20 };
    const job: PlannedJob = {
      kind,
      request: { type: 'simulate', payload, ...(kind === 'keyed' ? { idempotencyKey: `chaos-${i}` } : {}) },
    };
    jobs.push(job);
    if (kind === 'keyed') keyed.push(job);
  }
  return [...jobs, ...keyed];
}

/** Waits until a third of `ids` is finished (at most 60 s), then returns the ones still open: those in flight at a kill. */
async function openJobsOnceAThirdIsDone(
  clients: ReturnType<typeof emulatorClients>,
  ids: ReadonlySet<string>,
): Promise<Set<string>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const open = (await clients.jobs()).filter(
      (j) => ids.has(j.jobId) && j.status !== 'succeeded' && j.status !== 'failed',
    );
    if (open.length <= (ids.size * 2) / 3 || Date.now() > deadline) return new Set(open.map((j) => j.jobId));
    await sleep(500);
  }
}

/** Polls the table until every job in `ids` is terminal, or the bound passes; returns the records and the time. */
async function settle(
  clients: ReturnType<typeof emulatorClients>,
  ids: ReadonlySet<string>,
  boundMs: number,
): Promise<{ jobs: Map<string, JobRecord>; ms: number }> {
  const started = Date.now();
  for (;;) {
    const jobs = new Map((await clients.jobs()).filter((j) => ids.has(j.jobId)).map((j) => [j.jobId, j]));
    const open = [...ids].filter((id) => !['succeeded', 'failed'].includes(jobs.get(id)?.status ?? ''));
    if (open.length === 0 || Date.now() - started > boundMs) return { jobs, ms: Date.now() - started };
    await sleep(2_000);
  }
}

describe('no job lost, none stuck', () => {
  it('keeps every accepted job through faults, a SIGKILL of the whole runtime and a restart on its persisted state', async () => {
    // Prepare: the runtime with DynamoDB and SQS faults, persisted to a fresh folder
    const stateDir = newStateDir();
    const port = await freePort();
    const faults = 'dynamodb=0.03,sqs=0.03,seed=11';
    const lines: string[] = [];
    const first = await startRuntimeProcess({ port, stateDir, faults, lines });
    running.push(first);
    const planned = plannedJobs(5_000);

    // Act: submit, let it work, kill it mid-run, start it again on the same state, and wait
    const submittedAt = Date.now();
    const accepted = await submitAll(first.url, planned);
    const beforeKill = emulatorClients(first.state);
    const openAtKill = await openJobsOnceAThirdIsDone(beforeKill, new Set(accepted.values()));
    beforeKill.close();
    const killedAt = Date.now();
    await first.kill();
    running.pop();
    const second = await startRuntimeProcess({ port, stateDir, faults, lines });
    running.push(second);
    const downtimeMs = Date.now() - killedAt;
    const clients = emulatorClients(second.state);
    const ids = new Set(accepted.values());
    const { jobs, ms: settleMs } = await settle(clients, ids, BOUND_SECONDS * 1000);

    // Assess
    const lineMap = linesByJob(lines);
    const lost = [...ids].filter((id) => !jobs.has(id));
    const stuck = [...ids].filter((id) => {
      const status = jobs.get(id)?.status;
      return status !== undefined && status !== 'succeeded' && status !== 'failed';
    });
    const wrong: string[] = [];
    const reranFinished: string[] = [];
    for (const [index, jobId] of accepted) {
      const kind = planned[index]?.kind ?? 'ok';
      const job = jobs.get(jobId);
      if (!job) continue;
      const expected = EXPECTED[kind];
      const jobLines = lineMap.get(jobId) ?? [];
      // An attempt more is allowed for a job in flight at the kill, or whose write failed for good under the faults.
      const spare = openAtKill.has(jobId) || jobLines.some(faultCostAttempt) ? 1 : 0;
      const attemptsOk =
        expected.status === 'failed' && kind === 'exhaust'
          ? job.attempts === MAX_ATTEMPTS
          : job.attempts >= expected.attempts && job.attempts <= expected.attempts + spare;
      if (job.status !== expected.status || !attemptsOk || (job.status === 'succeeded' && job.result === undefined)) {
        wrong.push(`${jobId} ${kind}: ${job.status} after ${job.attempts} attempt(s)`);
      }
      // A finished job never runs again: after its success, only duplicate deliveries.
      const success = jobLines.findIndex((l) => l.message === 'job succeeded');
      if (success >= 0 && jobLines.slice(success + 1).some(ran)) reranFinished.push(jobId);
    }
    const failed = new Set([...jobs.values()].filter((j) => j.status === 'failed').map((j) => j.jobId));
    const simulate = second.state.types.find((t) => t.type === 'simulate');
    const inDlq = new Set((await clients.deadLetteredJobIds(simulate?.dlqUrl ?? '')).filter((id) => ids.has(id)));
    const dlqMismatches = [
      ...[...failed].filter((id) => !inDlq.has(id)).map((id) => `failed but not in the DLQ: ${id}`),
      ...[...inDlq].filter((id) => !failed.has(id)).map((id) => `in the DLQ but ${jobs.get(id)?.status}: ${id}`),
    ];
    // The two submissions of each idempotency key name one job, and the table holds one record per job.
    const keyedIds = planned.flatMap((p, i) =>
      p.kind === 'keyed' ? [[p.request.idempotencyKey, accepted.get(i)]] : [],
    );
    const byKey = new Map<string, Set<string>>();
    for (const [key, id] of keyedIds) if (key && id) byKey.set(key, new Set([...(byKey.get(key) ?? []), id]));
    const splitKeys = [...byKey].filter(([, set]) => set.size > 1).map(([key]) => key);
    const records = (await clients.jobs()).filter((j) => ids.has(j.jobId));
    clients.close();
    const validInDlq = [...inDlq].filter((id) => jobs.get(id)?.status === 'succeeded');

    console.log(
      `chaos: ${planned.length} submitted, ${ids.size} jobs accepted (202), ${openAtKill.size} open at the SIGKILL; ` +
        `lost ${lost.length}, stuck ${stuck.length}, wrong ${wrong.length}, re-ran after success ${reranFinished.length}, ` +
        `DLQ mismatches ${dlqMismatches.length}; ${failed.size} failed, all in the DLQ; ` +
        `down ${(downtimeMs / 1000).toFixed(1)} s; settled ${(settleMs / 1000).toFixed(1)} s after the restart, ` +
        `${((Date.now() - submittedAt) / 1000).toFixed(1)} s after the first submit (bound ${BOUND_SECONDS} s)`,
    );
    expect(ids.size).toBeGreaterThan(4_500);
    expect(lost).toEqual([]);
    expect(stuck).toEqual([]);
    expect(wrong).toEqual([]);
    expect(reranFinished).toEqual([]);
    // The run count reads the workers' logs: they must name nearly every job that succeeded (a SIGKILL may cut a line).
    const succeeded = [...jobs.values()].filter((j) => j.status === 'succeeded');
    const logged = succeeded.filter((j) => lineMap.get(j.jobId)?.some((l) => l.message === 'job succeeded'));
    expect(logged.length).toBeGreaterThan(succeeded.length * 0.99);
    expect(dlqMismatches).toEqual([]);
    expect(validInDlq).toEqual([]);
    expect(splitKeys).toEqual([]);
    expect(records).toHaveLength(ids.size);
    expect(settleMs / 1000).toBeLessThan(BOUND_SECONDS);
    await second.stop();
    running.pop();
  }, 900_000);

  it('answers every keyed submission 202 for a job that runs, through API crashes between its steps, a SIGKILL mid-submission and retries of every unanswered key', async () => {
    // Prepare: 10 % of submissions end the API's environment between queueing and recording, or before answering
    const stateDir = newStateDir();
    const port = await freePort();
    const faults = 'submit=0.1,seed=23';
    const lines: string[] = [];
    const first = await startRuntimeProcess({ port, stateDir, faults, lines });
    running.push(first);
    const plan: KeyedPlan = {
      singles: Array.from({ length: 300 }, (_, i) => `submit-${i}`),
      batches: Array.from({ length: 40 }, (_, b) => Array.from({ length: 8 }, (_, i) => `submit-${300 + b * 8 + i}`)),
    };
    const keys = [...plan.singles, ...plan.batches.flat()];
    const answers: KeyedAnswers = {
      accepted: new Map(),
      refused: new Map(),
      inFlight: new Set(),
      sent: 0,
      unanswered: 0,
    };

    // Act: submit; once a third of the keys are answered, SIGKILL the runtime with requests in flight
    const submitting = submitKeyed(first.url, plan, answers);
    const killDeadline = Date.now() + 120_000;
    while (answers.accepted.size < keys.length / 3 && Date.now() < killDeadline) await sleep(20);
    const answeredAtKill = answers.accepted.size;
    const inFlightAtKill = answers.inFlight.size;
    await first.kill();
    running.pop();
    await submitting;
    const unansweredAfterKill = keys.length - answers.accepted.size - answers.refused.size;
    const second = await startRuntimeProcess({ port, stateDir, faults, lines });
    running.push(second);
    // Every unanswered key, retried until it gets an answer (the faults stay on for the retries too)
    const retried = new Set<string>();
    for (let round = 0; round < 40; round++) {
      const open = unansweredPart(plan, answers);
      const openKeys = [...open.singles, ...open.batches.flat()];
      if (openKeys.length === 0) break;
      for (const key of openKeys) retried.add(key);
      await submitKeyed(second.url, open, answers);
    }
    const clients = emulatorClients(second.state);
    const ids = new Set(answers.accepted.values());
    const { jobs, ms: settleMs } = await settle(clients, ids, BOUND_SECONDS * 1000);

    // Assess
    const records = (await clients.jobs()).filter((j) => j.idempotencyKey?.startsWith('submit-'));
    clients.close();
    const unanswered = keys.filter((k) => !answers.accepted.has(k));
    const stuck = [...ids].filter((id) => jobs.get(id)?.status !== 'succeeded');
    const recordsByKey = new Map<string, JobRecord[]>();
    for (const r of records)
      recordsByKey.set(r.idempotencyKey ?? '', [...(recordsByKey.get(r.idempotencyKey ?? '') ?? []), r]);
    const notOneJob = keys.filter((key) => {
      const named = recordsByKey.get(key) ?? [];
      return (
        named.length !== 1 || named[0]?.jobId !== answers.accepted.get(key) || named[0]?.jobId !== jobIdForKey(key)
      );
    });
    const lineMap = linesByJob(lines);
    const reranFinished = [...ids].filter((id) => {
      const jobLines = lineMap.get(id) ?? [];
      const success = jobLines.findIndex((l) => l.message === 'job succeeded');
      return success >= 0 && jobLines.slice(success + 1).some(ran);
    });
    const apiCrashes = lines.filter((l) => l.includes("[fault] the API's environment ends")).length;
    console.log(
      `chaos (submit path): ${keys.length} keys (${plan.singles.length} single, ${plan.batches.length} batches of 8); ` +
        `${answeredAtKill} answered when the runtime was killed, ${inFlightAtKill} in flight at the kill, ` +
        `${unansweredAfterKill} unanswered after it; ` +
        `${retried.size} keys retried, ${answers.sent} requests in all, ${answers.unanswered} without an answer; ` +
        `${apiCrashes} API environments ended between steps; ` +
        `${ids.size} jobs accepted (202), stuck ${stuck.length}, keys not naming exactly one job ${notOneJob.length}, ` +
        `re-ran after success ${reranFinished.length}; settled ${(settleMs / 1000).toFixed(1)} s after the retries (bound ${BOUND_SECONDS} s)`,
    );
    expect(unanswered).toEqual([]);
    expect([...answers.refused]).toEqual([]);
    expect(apiCrashes).toBeGreaterThan(0);
    expect(stuck).toEqual([]);
    expect(notOneJob).toEqual([]);
    expect(records).toHaveLength(keys.length);
    expect(reranFinished).toEqual([]);
    expect(settleMs / 1000).toBeLessThan(BOUND_SECONDS);
    await second.stop();
    running.pop();
  }, 900_000);

  it('ends every job when batches crash their environment or hang past the timeout, dead-lettering the ones that ran out of attempts', async () => {
    // Prepare: a third of the batches crash or hang; one job crashes its worker on its last attempt
    const runtime = await startRuntimeProcess({
      port: await freePort(),
      stateDir: newStateDir(),
      faults: 'crash=0.2,hang=0.1,seed=5',
    });
    running.push(runtime);
    const planned: PlannedJob[] = [
      ...Array.from({ length: 300 }, (): PlannedJob => ({ kind: 'ok', request: { type: 'simulate', payload: {} } })),
      { kind: 'exhaust', request: { type: 'simulate', payload: { failTimes: 2, crashOnAttempt: 3 } } },
    ];

    // Act
    const accepted = await submitAll(runtime.url, planned);
    const clients = emulatorClients(runtime.state);
    const ids = new Set(accepted.values());
    const { jobs } = await settle(clients, ids, BOUND_SECONDS * 1000);

    // Assess: every job ended; a failed one ran out of attempts, its message is in the DLQ with the reason
    const simulate = runtime.state.types.find((t) => t.type === 'simulate');
    const inDlq = new Set(await clients.deadLetteredJobIds(simulate?.dlqUrl ?? ''));
    clients.close();
    const records = [...jobs.values()];
    const crashedOnLast = jobs.get(accepted.get(300) ?? '');
    console.log(
      `chaos (crash and hang): ${ids.size} jobs, ${records.filter((j) => j.status === 'succeeded').length} succeeded, ` +
        `${records.filter((j) => j.status === 'failed').length} failed (DEAD_LETTERED), ` +
        `${runtime.lines.filter((l) => l.includes('[fault]')).length} environments crashed`,
    );
    expect(records).toHaveLength(ids.size);
    expect(records.filter((j) => j.status !== 'succeeded' && j.status !== 'failed')).toEqual([]);
    for (const job of records.filter((j) => j.status === 'failed')) {
      expect(job.error?.code).toBe('DEAD_LETTERED');
      expect(inDlq.has(job.jobId)).toBe(true);
    }
    expect(crashedOnLast).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, error: { code: 'DEAD_LETTERED' } });
    expect(records.filter((j) => j.status === 'succeeded').every((j) => j.result !== undefined)).toBe(true);
    await runtime.stop();
    running.pop();
  }, 900_000);

  it('answers 503 when DynamoDB fails at enqueue, queueing nothing for a keyed job: never a 202 that is lost', async () => {
    // Prepare: every DynamoDB call of the functions fails
    const runtime = await startRuntimeProcess({
      port: await freePort(),
      stateDir: newStateDir(),
      faults: 'dynamodb=1',
    });
    running.push(runtime);
    const clients = emulatorClients(runtime.state);
    const post = (headers: Record<string, string>) =>
      fetch(`${runtime.url}/jobs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ type: 'simulate', payload: {} }),
      });

    // Act: a keyed job is looked up first; an unkeyed one is queued, then its record fails
    const keyed = await post({ 'idempotency-key': 'down-1' });
    const keyedBody = (await keyed.json()) as { error?: { code?: string } };
    const simulate = runtime.state.types.find((t) => t.type === 'simulate');
    const depthAfterKeyed = await clients.depth(simulate?.queueUrl ?? '');
    const unkeyed = await post({});
    const unkeyedBody = (await unkeyed.json()) as { error?: { code?: string; message?: string } };

    // Assess
    expect(keyed.status).toBe(503);
    expect(keyed.headers.get('retry-after')).toBe('1');
    expect(keyedBody.error?.code).toBe('SERVICE_UNAVAILABLE');
    expect(depthAfterKeyed).toBe(0);
    expect(unkeyed.status).toBe(503);
    expect(unkeyedBody.error?.message).toMatch(/queued but its record could not be written, so it may still run/);
    expect(await clients.jobs()).toEqual([]);
    clients.close();
    await runtime.stop();
    running.pop();
  });
});
