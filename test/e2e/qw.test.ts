import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT, type ExitCode } from '../../cli/errors.js';
import type { CliIo } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { localAwsEnv } from '../../emulator/deploy.js';
import { PROJECT_ROOT } from '../../emulator/paths.js';
import type { DeadLetter } from '../../ops/dead-letters.js';
import type { QueueRow } from '../../ops/queue-stats.js';
import { waitFor } from '../helpers/wait.js';
import { deployForE2e, type E2eDeployment } from './support/deployment.js';
import { type EmulatorInfo, emulatorInfo } from './support/emulator-info.js';
import { JobApiClient } from './support/scenario.js';

// One stack, deployed for this file under its own name, for every command below.
let deployment: E2eDeployment;
let info: EmulatorInfo;
const dir = mkdtempSync(path.join(tmpdir(), 'qw-e2e-'));

/** Runs `qw` in this process against the file's stack on the emulator (`--target emulator`). */
async function qw(argv: readonly string[], options: { stdin?: string; stack?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    stdin: Readable.from(options.stdin ? [options.stdin] : []),
    // No AWS_* of the caller: the flags alone choose the target.
    env: {},
    cwd: dir,
  };
  const target = ['--target', 'emulator', '--endpoint', deployment.endpoint];
  const code = await main([...target, '--stack', options.stack ?? deployment.stackName, ...argv], io);
  return { code, stdout, stderr };
}

/** `qw ... --json` whose stdout is one JSON document. */
async function qwJson<T>(argv: readonly string[]): Promise<{ code: ExitCode; body: T; stderr: string }> {
  const res = await qw([...argv, '--json']);
  return { code: res.code, body: JSON.parse(res.stdout) as T, stderr: res.stderr };
}

interface Snapshot {
  readonly target: string;
  readonly queues: readonly QueueRow[];
}
interface DlqListing {
  readonly type: string;
  readonly dlq: string;
  readonly count: number;
  readonly messages: readonly DeadLetter[];
}

const dlqList = (type: string) => qwJson<DlqListing>(['dlq', 'list', type]);

/** Polls `qw dlq list` until the DLQ of `type` holds `jobId`. */
const inDlq = (type: string, jobId: string) =>
  waitFor(
    () => dlqList(type),
    (r) => r.body.messages.some((m) => m.jobId === jobId),
    { timeoutMs: 60_000, intervalMs: 500, what: `job ${jobId} in the ${type} DLQ` },
  );

/** A webhook receiver on 127.0.0.1 (ministack's Lambdas reach it) whose answer the test sets. */
let receiver: Server;
let receiverStatus = 400;
let receiverUrl: string;
const received: { readonly headers: IncomingHttpHeaders; readonly body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(receiverStatus).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  // Its webhooks go to a receiver on this machine, which ministack's functions reach on 127.0.0.1: a private
  // address that webhook.deliver refuses unless the stack allows private networks.
  deployment = await deployForE2e({ context: { allowPrivateNetworks: 'true' } });
  info = await emulatorInfo(deployment.endpoint);
  const t = deployment.timings;
  console.log(
    `[e2e qw] ${info.label} at ${deployment.endpoint}, stack ${deployment.stackName}: emulator start ${t.emulatorSeconds.toFixed(1)} s, bootstrap ${t.bootstrapSeconds.toFixed(1)} s, deploy ${t.deploySeconds.toFixed(1)} s (logs in ${deployment.logDir})`,
  );
});

afterAll(async () => {
  await deployment?.teardown();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('qw submit on the emulator', () => {
  it('waits for a job over the SigV4-signed API, showing its attempts out of the queue maxReceiveCount, and exits 0', async () => {
    // Act
    const res = await qw(['submit', 'simulate', '--payload', '{"failTimes":1}', '--wait']);

    // Assess
    expect(res.code).toBe(EXIT.OK);
    expect(res.stderr).toMatch(/Submitted simulate job [0-9a-f-]{36}; waiting/);
    // maxAttempts is not in the stack outputs: qw read it from the queue's RedrivePolicy.
    expect(res.stderr).toMatch(/retrying · attempt 1\/3 · last error RETRYABLE/);
    expect(res.stdout).toMatch(/status\s+succeeded/);
    expect(res.stdout).toMatch(/attempts\s+2/);
    expect(res.stdout).toMatch(/result\s+\{"attempt":2\}/);
  });

  it('exits 6 when the job it waits for fails, with the job and its error as JSON', async () => {
    // Act
    const res = await qwJson<{ jobId: string; status: string }>([
      'submit',
      'simulate',
      '--payload',
      '{"fatal":true}',
      '--wait',
    ]);

    // Assess
    expect(res.code).toBe(EXIT.JOB_FAILED);
    expect(res.body).toMatchObject({
      type: 'simulate',
      status: 'failed',
      attempts: 1,
      error: { code: 'NON_RETRYABLE', message: 'simulated fatal failure' },
    });
  });

  it('exits 7 with the details when the API rejects the payload, and 5 for an unknown job type', async () => {
    // Act
    const invalid = await qw(['submit', 'simulate', '--payload', '{"nope":1}']);
    const unknown = await qw(['submit', 'nosuch', '--payload', '{}']);

    // Assess
    expect(invalid.code).toBe(EXIT.REFUSED);
    expect(invalid.stderr).toMatch(/rejected the job \(400 [A-Z_]+\).*\n.*nope/);
    expect(unknown.code).toBe(EXIT.NOT_FOUND);
  });
});

describe('qw status on the emulator', () => {
  it('shows a job submitted without --wait, and follows it with --wait', async () => {
    // Prepare
    const submitted = await qwJson<{ jobId: string; status: string }>(['submit', 'simulate', '--payload', '{}']);
    const { jobId } = submitted.body;

    // Act
    const waited = await qwJson<Record<string, unknown>>(['status', jobId, '--wait', '--timeout', '60']);
    const shown = await qw(['status', jobId]);

    // Assess
    expect(submitted.code).toBe(EXIT.OK);
    expect(submitted.body.status).toBe('queued');
    expect(waited.code).toBe(EXIT.OK);
    expect(waited.body).toMatchObject({ jobId, type: 'simulate', status: 'succeeded', attempts: 1 });
    expect(shown.code).toBe(EXIT.OK);
    expect(shown.stdout).toMatch(new RegExp(`^job\\s+${jobId}\\n`));
    expect(shown.stdout).toMatch(/^status\s+succeeded$/m);
  });

  it('exits 5 for an unknown job', async () => {
    // Act
    const res = await qw(['status', '00000000-0000-4000-8000-000000000000']);

    // Assess
    expect(res.code).toBe(EXIT.NOT_FOUND);
    expect(res.stderr).toMatch(
      new RegExp(`No job "00000000-0000-4000-8000-000000000000" on stack ${deployment.stackName} on the emulator`),
    );
  });
});

describe('qw watch --once on the emulator', () => {
  it('lists every job type by its registered name, with counts that follow delayed jobs and n/a rates', async () => {
    // Prepare: delayed messages stay countable for seconds.
    const api = new JobApiClient({ apiBase: deployment.apiBase, signed: true });
    const before = await qwJson<Snapshot>(['watch', '--once']);
    const batch = await api.submitBatch(
      Array.from({ length: 3 }, () => ({ type: 'simulate', payload: {}, delaySeconds: 4 })),
    );

    // Act
    const during = await qwJson<Snapshot>(['watch', '--once']);
    await Promise.all(batch.body.results.map((r) => api.waitForTerminal(r.jobId, 60_000)));
    const after = await qw(['watch', '--once']);

    // Assess
    const simulate = (s: Snapshot) => s.queues.find((q) => q.type === 'simulate');
    expect(before.body.queues.map((q) => q.type).sort()).toEqual(['image.thumbnail', 'simulate', 'webhook.deliver']);
    expect(simulate(before.body)).toMatchObject({ delayed: 0, oldestAgeSeconds: null, jobsPerSecond: null });
    expect(batch.body.accepted).toBe(3);
    expect(simulate(during.body)?.delayed).toBe(3);
    expect(after.code).toBe(EXIT.OK);
    expect(after.stdout).toContain(`stack ${deployment.stackName} on the emulator at ${deployment.endpoint}`);
    expect(after.stdout).toMatch(/^simulate\s+0\s+0\s+0\s+\d+\s+n\/a\s+n\/a$/m);
    expect(after.stdout).toMatch(/^webhook\.deliver\s+0\s+0\s+0\s+\d+\s+n\/a\s+n\/a$/m);
    expect(after.stdout).toMatch(/n\/a on an emulator \(no CloudWatch metrics\)/);
  });
});

describe('qw dlq on the emulator', () => {
  it('lists a fatal job with its reason and attempt, and leaves it in place (two listings agree)', async () => {
    // Prepare
    const submitted = await qwJson<{ jobId: string }>(['submit', 'simulate', '--payload', '{"fatal":true}', '--wait']);
    const { jobId } = submitted.body;

    // Act
    const first = await inDlq('simulate', jobId);
    const second = await dlqList('simulate');
    const text = await qw(['dlq', 'list', 'simulate']);

    // Assess
    expect(first.body.messages.find((m) => m.jobId === jobId)).toMatchObject({
      type: 'simulate',
      errorCode: 'NON_RETRYABLE',
      errorMessage: 'simulated fatal failure',
      attempt: 1,
    });
    expect(first.body.dlq).toBe(`${deployment.stackName}-simulate-dlq`);
    // Read without loss: the same messages, by SQS message id, both times.
    expect(second.body.messages.map((m) => m.messageId).sort()).toEqual(
      first.body.messages.map((m) => m.messageId).sort(),
    );
    expect(second.body.count).toBe(first.body.count);
    expect(text.code).toBe(EXIT.OK);
    expect(text.stdout).toMatch(new RegExp(`^${jobId}\\s+1\\s+\\S+\\s+NON_RETRYABLE: simulated fatal failure$`, 'm'));
  });

  it('redrives by hand (no StartMessageMoveTask), says so, and a webhook that now gets a 200 ends succeeded', async () => {
    // Prepare: the receiver answers 400, which is not retryable: the job fails at once and is dead-lettered.
    receiverStatus = 400;
    const submitted = await qwJson<{ jobId: string }>([
      'submit',
      'webhook.deliver',
      '--payload',
      JSON.stringify({ url: receiverUrl, body: { n: 1 } }),
      '--wait',
    ]);
    const jobId = submitted.body.jobId;
    await inDlq('webhook.deliver', jobId);
    receiverStatus = 200;

    // Act
    const res = await qw(['dlq', 'redrive', 'webhook.deliver', '--max-per-second', '10']);
    const job = await qwJson<Record<string, unknown>>(['status', jobId, '--wait', '--timeout', '60']);
    const left = await dlqList('webhook.deliver');

    // Assess
    expect(submitted.code).toBe(EXIT.JOB_FAILED);
    expect(res.code).toBe(EXIT.OK);
    expect(res.stdout).toMatch(/^NOTE: .* has no StartMessageMoveTask; qw moved the messages itself/);
    expect(res.stdout).toMatch(/--max-per-second applies to move tasks only and was ignored/);
    expect(res.stdout).toMatch(
      new RegExp(
        `Moved 1 message\\(s\\) from ${deployment.stackName}-webhook-deliver-dlq back to ${deployment.stackName}-webhook-deliver; 1 job\\(s\\) set back to queued`,
      ),
    );
    expect(job.code).toBe(EXIT.OK);
    expect(job.body).toMatchObject({ jobId, status: 'succeeded', result: { status: 200 } });
    expect(left.body).toMatchObject({ count: 0 });
    // The receiver saw the job twice, under the same idempotency key: the failed attempt and the redriven one.
    const deliveries = received.filter((r) => r.headers['idempotency-key'] === jobId);
    expect(deliveries.map((d) => JSON.parse(d.body))).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it('purges only after a yes: exits 8 on a no and keeps the messages, then --yes empties the DLQ', async () => {
    // Prepare
    const submitted = await qwJson<{ jobId: string }>(['submit', 'simulate', '--payload', '{"fatal":true}', '--wait']);
    const listed = await inDlq('simulate', submitted.body.jobId);

    // Act
    const refused = await qw(['dlq', 'purge', 'simulate'], { stdin: 'n\n' });
    const kept = await dlqList('simulate');
    const purged = await qw(['dlq', 'purge', 'simulate', '--yes']);
    const left = await dlqList('simulate');

    // Assess
    expect(refused.code).toBe(EXIT.ABORTED);
    expect(refused.stderr).toMatch(/Delete all \d+ message\(s\) of .*-simulate-dlq .*\[y\/N\]/);
    expect(kept.body.count).toBe(listed.body.count);
    expect(purged.code).toBe(EXIT.OK);
    expect(purged.stdout).toBe(
      `Purged ${deployment.stackName}-simulate-dlq: ${listed.body.count} message(s) deleted.\n`,
    );
    expect(left.body).toMatchObject({ count: 0, messages: [] });
  });

  it('exits 5 for an unknown job type, naming the known ones', async () => {
    // Act
    const res = await qw(['dlq', 'list', 'nosuch']);

    // Assess
    expect(res.code).toBe(EXIT.NOT_FOUND);
    expect(res.stderr).toMatch(/No job type "nosuch"\. Known types: image\.thumbnail, simulate, webhook\.deliver\./);
  });
});

describe('qw target errors on the emulator', () => {
  it('exits 3 for a stack the emulator does not have', async () => {
    // Act
    const res = await qw(['watch', '--once'], { stack: 'QwNoSuchStack' });

    // Assess
    expect(res.code).toBe(EXIT.NO_TARGET);
    expect(res.stderr).toMatch(/No stack "QwNoSuchStack" on the emulator at http:\/\/127\.0\.0\.1:\d+/);
  });

  it('exits 3 for a stack that is not a queue-workers stack (the CDK bootstrap stack)', async () => {
    // Act
    const res = await qw(['watch', '--once'], { stack: 'CDKToolkit' });

    // Assess
    expect(res.code).toBe(EXIT.NO_TARGET);
    expect(res.stderr).toMatch(/Stack "CDKToolkit" on the emulator .* is not a queue-workers stack/);
  });
});

describe('the qw bin', () => {
  const run = promisify(execFile);
  const emptyFile = path.join(dir, 'empty-aws-config');

  /** Runs `npx qw` in a child process whose only AWS settings point at the emulator; never throws. */
  async function npxQw(argv: readonly string[]) {
    writeFileSync(emptyFile, '');
    const env = localAwsEnv(deployment.endpoint, emptyFile);
    return run('npx', ['qw', ...argv], { cwd: PROJECT_ROOT, env }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  }
  const jsonError = (stderr: string) =>
    JSON.parse(stderr.split('\n').find((l) => l.startsWith('{')) ?? 'null') as { error: { exitCode: number } } | null;

  it('finds the emulator from AWS_ENDPOINT_URL with --target emulator, with the exit code and JSON of the command', async () => {
    // Prepare
    const submitted = await qwJson<{ jobId: string }>(['submit', 'simulate', '--payload', '{}', '--wait']);
    const target = ['--target', 'emulator', '--stack', deployment.stackName];

    // Act
    const ok = await npxQw([...target, 'status', submitted.body.jobId, '--json']);
    const missing = await npxQw([...target, 'status', 'no-such-job', '--json']);

    // Assess
    expect(ok.code).toBe(EXIT.OK);
    expect(JSON.parse(ok.stdout)).toMatchObject({ jobId: submitted.body.jobId, status: 'succeeded' });
    expect(missing.code).toBe(EXIT.NOT_FOUND);
    expect(jsonError(missing.stderr)).toMatchObject({ error: { exitCode: EXIT.NOT_FOUND } });
  });

  it('reads the stack, its queues and CloudWatch as the AWS target when the SDK is pointed at the emulator, and never redrives by hand there', async () => {
    // Prepare: the AWS target takes AWS_ENDPOINT_URL from the SDK, as any AWS tool does; its job API stays unreachable.
    const target = ['--target', 'aws', '--stack', deployment.stackName];
    const empty = await dlqList('webhook.deliver');

    // Act
    const watched = await npxQw([...target, 'watch', '--once', '--json']);
    const redriven = await npxQw([...target, 'dlq', 'redrive', 'webhook.deliver']);

    // Assess
    expect(watched.code).toBe(EXIT.OK);
    const snap = JSON.parse(watched.stdout) as Snapshot;
    expect(snap.target).toBe(`stack ${deployment.stackName} in us-east-1`);
    expect(snap.queues.map((q) => q.type).sort()).toEqual(['image.thumbnail', 'simulate', 'webhook.deliver']);
    // A number, not null: GetMetricData answered (an emulator without SQS metrics sums to 0).
    for (const q of snap.queues) expect(typeof q.jobsPerSecond, q.type).toBe('number');
    expect(empty.body.count).toBe(0);
    if (info.isPinnedMinistack) {
      expect(redriven.code).toBe(EXIT.REFUSED);
      expect(redriven.stderr).toMatch(/does not implement StartMessageMoveTask.*\n.*Use --target emulator/);
    } else {
      expect(redriven.code).toBe(EXIT.OK);
      expect(redriven.stdout).toMatch(/Started StartMessageMoveTask/);
    }
  });
});
