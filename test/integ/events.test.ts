import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import type { LocalRuntime } from '../../local/index.js';
import { apiClient, captureOutput, queueRecorder, startFixtureRuntime, waitFor } from './helpers.js';

// Job events on the local runtime: the workers put them on the stack's bus through the in-process
// EventBridge, and the fixture app's rules deliver them to its probe queues (see fixtures/app.ts).

interface BusEventBody {
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: { jobId: string; status: string; attempts: number; result?: unknown; error?: { code: string } };
}

const dir = mkdtempSync(path.join(tmpdir(), 'qw-events-'));
const stateFile = path.join(dir, 'local.json');
const output = captureOutput();
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;
let allEvents: ReturnType<typeof queueRecorder<BusEventBody>>;
let failedJobs: ReturnType<typeof queueRecorder<Record<string, unknown>>>;

beforeAll(async () => {
  runtime = await startFixtureRuntime({ output, stateFile });
  api = apiClient(runtime);
  const queueOf = (prefix: string) => {
    const q = runtime.plan().queues.find((x) => x.logicalId.startsWith(prefix));
    if (!q) throw new Error(`no ${prefix} queue in the integration stack`);
    return runtime.queueUrl(q.logicalId);
  };
  allEvents = queueRecorder<BusEventBody>(runtime, queueOf('JobEventsProbe'));
  failedJobs = queueRecorder(runtime, queueOf('FailedJobsProbe'));
});

afterAll(async () => {
  await allEvents?.stop();
  await failedJobs?.stop();
  await runtime?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `qw` in this process against the test's runtime, until it ends or `signal` aborts. */
async function qw(argv: string[], signal?: AbortSignal) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from([]),
    env: { QW_STATE_FILE: stateFile },
    cwd: dir,
    ...(signal ? { signal } : {}),
  };
  const code = main(argv, io);
  return { code, stdout: () => stdout, stderr: () => stderr };
}

describe('job events on the local runtime', () => {
  it("routes one event per finished job to the rules' queues, a failed one reshaped by its input transformer", async () => {
    // Prepare
    const ok = await api.submit({ type: 'simulate', payload: { failTimes: 1 } });
    const fatal = await api.submit({ type: 'simulate', payload: { fatal: true } });

    // Act
    await Promise.all([api.settled(ok), api.settled(fatal)]);
    await waitFor(
      async () => allEvents.items.length,
      (n) => n >= 2,
      { timeoutMs: 20_000, intervalMs: 100, what: 'two job events on the probe queue' },
    );
    // Anything a second announcement would have sent arrives in this time.
    await sleep(1_500);

    // Assess
    const mine = allEvents.items.filter((e) => [ok, fatal].includes(e.detail.jobId));
    expect(mine.map((e) => [e['detail-type'], e.detail.jobId]).sort()).toEqual(
      [
        ['Job Failed', fatal],
        ['Job Succeeded', ok],
      ].sort(),
    );
    expect(mine.find((e) => e.detail.jobId === ok)).toMatchObject({
      source: 'queue-workers',
      detail: { status: 'succeeded', attempts: 2, result: { attempt: 2 } },
    });
    expect(mine.find((e) => e.detail.jobId === fatal)?.detail).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'NON_RETRYABLE' },
    });
    await waitFor(
      async () => failedJobs.items,
      (items) => items.some((i) => i.job === fatal),
      { timeoutMs: 10_000, intervalMs: 100, what: 'the transformed failed-job message' },
    );
    expect(failedJobs.items.filter((i) => i.job === fatal)).toEqual([
      { job: fatal, code: 'NON_RETRYABLE', source: 'queue-workers' },
    ]);
  });

  it('shows recent events with the rule targets they went to, after a cursor', async () => {
    const jobId = await api.submit({ type: 'simulate', payload: {} });
    await api.settled(jobId);

    const read = async (after = 0) =>
      (await (await fetch(`${runtime.url}/ui/api/events?after=${after}`)).json()) as {
        events: { seq: number; busName: string; event: BusEventBody; deliveries: { rule: string; status: string }[] }[];
        next: number;
      };
    const page = await waitFor(
      () => read(),
      (p) => p.events.some((e) => e.event.detail.jobId === jobId && e.deliveries.every((d) => d.status !== 'pending')),
      { timeoutMs: 10_000, intervalMs: 100, what: 'the event in the recent events' },
    );

    const mine = page.events.find((e) => e.event.detail.jobId === jobId);
    expect(mine?.busName).toMatch(/JobEventsBus/);
    expect(mine?.deliveries).toEqual([
      expect.objectContaining({ rule: expect.stringMatching(/AllJobEvents/), status: 'delivered' }),
    ]);
    expect(page.next).toBe(page.events.at(-1)?.seq);
    expect((await read(page.next)).events).toEqual([]);
  });

  it('names the rules and the PutEvents endpoint in the banner, and what event rules do not emulate', () => {
    const banner = output.lines.join('\n');

    expect(banner).toMatch(/Events\s+\S*AllJobEvents\S* on bus \S*JobEventsBus\S* -> queue \S*JobEventsProbe/);
    expect(banner).toMatch(/EventBridge http:\/\/127\.0\.0\.1:\d+ \(PutEvents, in process\)/);
    expect(banner).toMatch(/NOTE\s+Event rules match exact value, prefix, .*; not emulated: cidr/);
  });

  it('qw events prints the recent job events with where they went, and --follow streams new ones until stopped', async () => {
    // Prepare: one event kept before qw starts
    const before = await api.submit({ type: 'simulate', payload: {} });
    await api.settled(before);
    await sleep(300);

    // Act
    const recent = await qw(['events', '--max', '500']);
    const stop = new AbortController();
    const follower = await qw(['events', '--follow', '--max', '1', '--json'], stop.signal);
    await waitFor(
      async () => follower.stderr(),
      (err) => err.includes('Following'),
      { timeoutMs: 10_000, intervalMs: 50, what: 'qw events --follow to listen' },
    );
    const after = await api.submit({ type: 'simulate', payload: { fatal: true } });
    await api.settled(after);
    await waitFor(
      async () => follower.stdout(),
      (out) => out.includes(after),
      { timeoutMs: 10_000, intervalMs: 100, what: 'the new event in qw events --follow' },
    );
    stop.abort();

    // Assess
    expect(await recent.code).toBe(0);
    expect(recent.stdout()).toMatch(
      new RegExp(
        String.raw`Job Succeeded  simulate ${before}  attempts 1\n    \S*AllJobEvents\S* -> sqs \S*JobEventsProbe\S* ok`,
      ),
    );
    expect(await follower.code).toBe(0);
    const followed = follower
      .stdout()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: BusEventBody });
    expect(followed.filter((f) => f.event.detail.jobId === after).map((f) => f.event['detail-type'])).toEqual([
      'Job Failed',
    ]);
    // --max 1: the newest kept event first (the one before), then only what came after.
    expect(followed[0]?.event.detail.jobId).toBe(before);
  });
});
