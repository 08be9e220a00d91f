import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../cli/errors.js';
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import type { LocalRuntime } from '../../local/index.js';
import { readLocalState } from '../../ops/local-state.js';
import { INTEG_STACK } from './fixtures/app.js';
import { apiClient, startFixtureRuntime, waitFor } from './helpers.js';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'qw-cli-'));
const stateFile = path.join(dir, 'local.json');
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;

/** Runs `qw` in this process against the test's runtime; returns its exit code and what it wrote. */
async function qw(argv: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from(stdin ? [stdin] : []),
    env: { QW_STATE_FILE: stateFile },
    cwd: dir,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** A webhook receiver whose answer the test sets. */
let receiver: Server;
let receiverStatus = 400;
let receiverUrl: string;

beforeAll(async () => {
  runtime = await startFixtureRuntime({ stateFile });
  api = apiClient(runtime);
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(receiverStatus).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await runtime?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('the local runtime state file', () => {
  it('names the API, the queues and the table, and is removed on stop', async () => {
    // Prepare: a second runtime, so that stopping it is observable here.
    const file = path.join(dir, 'second.json');
    const second = await startFixtureRuntime({ synth: 'never', stateFile: file });
    // Act
    const written = readLocalState(file);
    await second.stop();
    // Assess
    expect(written).toMatchObject({ pid: process.pid, url: second.url, stackName: INTEG_STACK });
    expect(written?.types.map((t) => t.type).sort()).toEqual(['image.thumbnail', 'simulate', 'webhook.deliver']);
    expect(written?.types.find((t) => t.type === 'simulate')).toMatchObject({ maxAttempts: 3 });
    expect(readLocalState(file)).toBeUndefined();
  });
});

describe('qw cancel', () => {
  it('cancels a delayed job before it runs, so it never runs, and refuses a job that finished', async () => {
    // Prepare: a webhook delivery, held back 3 s; the receiver counts what reaches it.
    let delivered = 0;
    const counter = createServer((req, res) => {
      delivered += 1;
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(counter.address() as AddressInfo).port}/hook`;
    const submitted = await api.request('POST', '/jobs', {
      type: 'webhook.deliver',
      payload: { url, body: { hello: 'world' } },
      delaySeconds: 3,
    });
    const jobId = submitted.body.jobId as string;
    try {
      // Act
      const res = await qw(['cancel', jobId]);
      // Assess: cancelled now; 5 s later, past its delay, it still is, and nothing was delivered.
      expect(res.code).toBe(EXIT.OK);
      expect(res.stdout).toMatch(/status\s+cancelled/);
      await new Promise((r) => setTimeout(r, 5000));
      expect(await api.job(jobId)).toMatchObject({ status: 'cancelled', attempts: 0 });
      expect(delivered).toBe(0);
      // A job that finished cannot be cancelled; a cancelled one can, again.
      expect((await qw(['cancel', jobId])).code).toBe(EXIT.OK);
      const done = await api.submit({ type: 'simulate', payload: {} });
      await api.settled(done);
      const refused = await qw(['cancel', done]);
      expect(refused.code).toBe(EXIT.REFUSED);
      expect(refused.stderr).toMatch(/already succeeded/);
    } finally {
      await new Promise((resolve) => counter.close(resolve));
    }
  });

  it('asks a running job to stop; it ends cancelled, and --wait exits 6', async () => {
    const jobId = await api.submit({ type: 'simulate', payload: { sleepMs: 2000, reportProgress: true } });
    await waitFor(
      () => api.job(jobId),
      (j) => j.status === 'running',
      { intervalMs: 50, what: 'the job to run' },
    );

    const asked = await qw(['cancel', jobId]);
    const waited = await qw(['status', jobId, '--wait', '--timeout', '20']);

    expect(asked.code).toBe(EXIT.OK);
    expect(asked.stderr).toMatch(/asked to stop/);
    expect(waited.code).toBe(EXIT.JOB_FAILED);
    expect(waited.stdout).toMatch(/status\s+cancelled/);
  });
});

describe('qw submit', () => {
  it('waits for a job, showing its progress, and exits 0 when it succeeds', async () => {
    // Long enough to be marked running (after markRunningAfterSeconds, 1 s), as a short job never is.
    const res = await qw(['submit', 'simulate', '--payload', '{"sleepMs":1800}', '--wait']);
    expect(res.code).toBe(EXIT.OK);
    expect(res.stderr).toMatch(/running · attempt 1\/3/);
    expect(res.stdout).toMatch(/status\s+succeeded/);
    expect(res.stdout).toMatch(/result\s+\{"attempt":1\}/);
  });

  it('shows the progress a job reports while it waits', async () => {
    const res = await qw(['submit', 'simulate', '--payload', '{"sleepMs":1500,"reportProgress":true}', '--wait']);

    expect(res.code).toBe(EXIT.OK);
    expect(res.stderr).toMatch(/running · attempt 1\/3 · \[#+\.*\] \d+%/);
    expect(res.stdout).toMatch(/progress\s+\[#{20}\] 100%/);
  });

  it('exits 6 when the job it waits for fails, naming the error', async () => {
    const res = await qw(['submit', 'simulate', '--payload', '{"fatal":true}', '--wait', '--json']);
    expect(res.code).toBe(EXIT.JOB_FAILED);
    expect(JSON.parse(res.stdout)).toMatchObject({ status: 'failed', error: { code: 'NON_RETRYABLE' } });
  });

  it('reads the payload from a file and prints the accepted job as JSON', async () => {
    // Prepare
    const file = path.join(dir, 'payload.json');
    writeFileSync(file, JSON.stringify({ sleepMs: 1 }));
    // Act
    const res = await qw(['submit', 'simulate', '--payload', '@payload.json', '--json']);
    // Assess
    expect(res.code).toBe(EXIT.OK);
    const body = JSON.parse(res.stdout) as { jobId: string; status: string };
    expect(body.status).toBe('queued');
    expect((await api.settled(body.jobId)).status).toBe('succeeded');
  });

  it.each([
    {
      name: 'a payload the schema rejects',
      argv: ['simulate', '--payload', '{"nope":1}'],
      code: EXIT.REFUSED,
      text: /nope/,
    },
    { name: 'an unknown job type', argv: ['nosuch', '--payload', '{}'], code: EXIT.NOT_FOUND, text: /Known types/ },
    { name: 'a payload that is not JSON', argv: ['simulate', '--payload', '{x'], code: EXIT.USAGE, text: /not JSON/ },
    { name: 'no payload', argv: ['simulate'], code: EXIT.USAGE, text: /--payload/ },
  ])('exits $code for $name', async ({ argv, code, text }) => {
    const res = await qw(['submit', ...argv]);
    expect(res.code).toBe(code);
    expect(res.stderr).toMatch(text);
  });
});

describe('qw status', () => {
  it('shows a job', async () => {
    const jobId = await api.submit({ type: 'simulate', payload: {} });
    await api.settled(jobId);
    const res = await qw(['status', jobId, '--json']);
    expect(res.code).toBe(EXIT.OK);
    expect(JSON.parse(res.stdout)).toMatchObject({ jobId, type: 'simulate', status: 'succeeded', attempts: 1 });
  });

  it('exits 5 for an unknown job', async () => {
    const res = await qw(['status', '00000000-0000-4000-8000-000000000000']);
    expect(res.code).toBe(EXIT.NOT_FOUND);
    expect(res.stderr).toMatch(/No job "00000000-0000-4000-8000-000000000000"/);
  });
});

describe('qw watch', () => {
  it('shows each queue with its counts, and the counts follow the jobs', async () => {
    // Prepare: delayed jobs stay countable for seconds.
    const before = await qw(['watch', '--once', '--json']);
    const res = await api.request('POST', '/jobs/batch', {
      jobs: Array.from({ length: 4 }, () => ({ type: 'simulate', payload: {}, delaySeconds: 3 })),
    });
    const ids = (res.body.results as { jobId: string }[]).map((r) => r.jobId);
    // Act
    const during = await qw(['watch', '--once', '--json']);
    await Promise.all(ids.map((id) => api.settled(id)));
    const after = await qw(['watch', '--once']);
    // Assess
    type Snap = { queues: { type: string; delayed: number; jobsPerSecond: number; oldestAgeSeconds: number | null }[] };
    const simulate = (s: string) => (JSON.parse(s) as Snap).queues.find((q) => q.type === 'simulate');
    expect(simulate(before.stdout)?.delayed).toBe(0);
    expect(simulate(during.stdout)?.delayed).toBe(4);
    expect(after.code).toBe(EXIT.OK);
    expect(after.stdout).toMatch(/TYPE\s+VISIBLE\s+IN FLIGHT\s+DELAYED\s+DLQ\s+OLDEST\s+JOBS\/S/);
    const row = after.stdout.split('\n').find((l) => l.startsWith('simulate')) ?? '';
    // The four just finished, so the 10-second rate is at least 0.4 jobs/s.
    expect(Number(row.trim().split(/\s+/).at(-1))).toBeGreaterThanOrEqual(0.4);
    expect(after.stdout).toMatch(/^webhook\.deliver\s+0\s+0\s+0\s+\d+\s+-/m);
  });
});

describe('qw dlq', () => {
  let hookJob: string;

  beforeAll(async () => {
    // A webhook the receiver answers 400: not retryable, so the job is failed and dead-lettered at once.
    receiverStatus = 400;
    hookJob = await api.submit({ type: 'webhook.deliver', payload: { url: receiverUrl, body: { n: 1 } } });
    expect((await api.settled(hookJob)).status).toBe('failed');
  });

  it('lists the dead letters with their reason and attempt, and leaves them in place', async () => {
    const first = await waitFor(
      () => qw(['dlq', 'list', 'webhook.deliver', '--json']),
      (r) => r.stdout.includes(hookJob),
      { what: 'the failed webhook job in the DLQ' },
    );
    const again = await qw(['dlq', 'list', 'webhook.deliver']);
    const listed = JSON.parse(first.stdout) as { count: number; messages: Record<string, unknown>[] };
    expect(listed.messages.find((m) => m.jobId === hookJob)).toMatchObject({
      type: 'webhook.deliver',
      errorCode: 'NON_RETRYABLE',
      errorMessage: expect.stringMatching(/answered 400/),
      attempt: 1,
    });
    expect(again.code).toBe(EXIT.OK);
    expect(again.stdout).toContain(hookJob);
    expect(again.stdout).toMatch(/NON_RETRYABLE: POST .* answered 400/);
  });

  it('redrives with a move task on the local runtime, and the job runs again to succeeded', async () => {
    // Prepare: the receiver now accepts.
    receiverStatus = 204;
    // Act
    const res = await qw(['dlq', 'redrive', 'webhook.deliver', '--max-per-second', '10']);
    // Assess
    expect(res.code).toBe(EXIT.OK);
    expect(res.stdout).toMatch(
      /^Started StartMessageMoveTask \S+ from \S+ back to \S+ at 10 messages\/s; 1 job\(s\) set back to queued/,
    );
    const job = await qw(['status', hookJob, '--wait', '--timeout', '60', '--json']);
    expect(job.code).toBe(EXIT.OK);
    expect(JSON.parse(job.stdout)).toMatchObject({ status: 'succeeded', attempts: 1, result: { status: 204 } });
    expect((await qw(['dlq', 'list', 'webhook.deliver'])).stdout).toMatch(/is empty/);
  });

  it('purges only after a yes, and exits 8 on a no', async () => {
    // Prepare
    const jobId = await api.submit({ type: 'simulate', payload: { fatal: true } });
    await api.settled(jobId);
    await waitFor(
      () => qw(['dlq', 'list', 'simulate', '--json']),
      (r) => r.stdout.includes(jobId),
      { what: 'the fatal job in the DLQ' },
    );
    // Act
    const refused = await qw(['dlq', 'purge', 'simulate'], 'n\n');
    const kept = await qw(['dlq', 'list', 'simulate', '--json']);
    const purged = await qw(['dlq', 'purge', 'simulate', '--yes']);
    const left = await qw(['dlq', 'list', 'simulate', '--json']);
    // Assess
    expect(refused.code).toBe(EXIT.ABORTED);
    expect(refused.stderr).toMatch(/\[y\/N\]/);
    expect(kept.stdout).toContain(jobId);
    expect(purged.code).toBe(EXIT.OK);
    expect(purged.stdout).toMatch(/Purged .*simulate-dlq/);
    expect(JSON.parse(left.stdout)).toMatchObject({ count: 0 });
  });

  it('exits 5 for an unknown job type', async () => {
    const res = await qw(['dlq', 'list', 'nosuch']);
    expect(res.code).toBe(EXIT.NOT_FOUND);
    expect(res.stderr).toMatch(/Known types: simulate, webhook\.deliver/);
  });
});

describe('targets and errors', () => {
  it('exits 3 when no local runtime is running', async () => {
    let message = '';
    const res = await main(['watch', '--once'], {
      stdout: { write: () => true },
      stderr: { write: (t: string) => (message += t) },
      stdin: Readable.from([]),
      env: {},
      cwd: dir,
    });
    expect(res).toBe(EXIT.NO_TARGET);
    expect(message).toMatch(/No local runtime is running.*\n.*npm start/);
  });

  it('exits 3 for a state file whose runtime is gone', async () => {
    // Prepare: this runtime's state, with a port nothing listens on and a pid that cannot exist.
    const stale = path.join(dir, 'stale.json');
    const state = readLocalState(stateFile);
    writeFileSync(stale, JSON.stringify({ ...state, pid: 2 ** 22 + 1, url: 'http://127.0.0.1:1' }));
    // Act
    const res = await qw(['watch', '--once', '--state-file', stale]);
    // Assess
    expect(res.code).toBe(EXIT.NO_TARGET);
    expect(res.stderr).toMatch(/is not running/);
  });

  it('exits 3 when the emulator does not answer', async () => {
    const res = await qw(['watch', '--once', '--endpoint', 'http://127.0.0.1:1']);
    expect(res.code).toBe(EXIT.NO_TARGET);
    expect(res.stderr).toMatch(/not reachable/);
  });

  it.each([
    { argv: ['frobnicate'], text: /Unknown command "frobnicate"/ },
    { argv: ['watch', '--yes'], text: /watch takes no --yes/ },
    { argv: ['dlq', 'redrive', 'simulate', '--max-per-second', '501'], text: /1 to 500/ },
    { argv: ['status'], text: /one argument: <jobId>/ },
  ])('exits 2 for $argv', async ({ argv, text }) => {
    const res = await qw(argv);
    expect(res.code).toBe(EXIT.USAGE);
    expect(res.stderr).toMatch(text);
  });
});

describe('the qw bin', () => {
  it('runs through npx with the exit code and JSON of the command', async () => {
    // Prepare
    const jobId = await api.submit({ type: 'simulate', payload: {} });
    await api.settled(jobId);
    const env = { ...process.env, QW_STATE_FILE: stateFile };
    // Act
    const ok = await run('npx', ['qw', 'status', jobId, '--json'], { env });
    const missing = await run('npx', ['qw', 'status', 'no-such-job', '--json'], { env }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    // Assess
    expect(JSON.parse(ok.stdout)).toMatchObject({ jobId, status: 'succeeded' });
    expect(missing).toMatchObject({ code: EXIT.NOT_FOUND });
    expect(
      JSON.parse((missing as { stderr: string }).stderr.split('\n').find((l) => l.startsWith('{')) ?? ''),
    ).toMatchObject({ error: { exitCode: EXIT.NOT_FOUND } });
  });
});
