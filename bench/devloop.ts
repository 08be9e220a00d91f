/**
 * `npm run bench:devloop`: what a developer waits for on the local runtime.
 * In a scratch copy of the project (so no real source is touched):
 *
 * 1. `npm start` to serving, with a warm synth cache (the assembly is fresh);
 * 2. POST /jobs to `succeeded` for a 0 ms job, p50 and p95 of sequential jobs;
 * 3. saving function code the CDK app does not read (lambda/api/routes.ts) to
 *    the API answering with the new code: the bundle alone is rebuilt;
 * 4. saving a file the CDK app reads (a job type, lambda/jobs/simulate.ts) to
 *    the reload being applied: a synth, as every change needed before.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type LocalRuntime, type Output, startLocal } from '../local/index.js';

const LATENCY_JOBS = Number(process.env.BENCH_JOBS ?? 200);
const EDITS = 5;
const GOALS = { startSeconds: 2, p50Ms: 20, codeReloadSeconds: 1 };

/** Output that keeps the runtime's own lines, for the moment a reload is applied. */
function quietOutput(): Output & { readonly lines: { at: number; text: string }[] } {
  const lines: { at: number; text: string }[] = [];
  return {
    lines,
    live: false,
    functionLine: () => undefined,
    info: (text) => lines.push({ at: performance.now(), text }),
    status: () => undefined,
    close: () => undefined,
  };
}

function scratchProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'qw-devloop-'));
  for (const entry of ['bin', 'lib', 'lambda', 'cdk.json', 'tsconfig.json', 'package.json', 'package-lock.json']) {
    cpSync(entry, path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.resolve('node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function startRuntime(
  projectDir: string,
): Promise<{ runtime: LocalRuntime; output: ReturnType<typeof quietOutput> }> {
  const output = quietOutput();
  const runtime = await startLocal({ projectDir, port: 0, watch: true, output });
  return { runtime, output };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** `npm start` in its own process, as a developer runs it: seconds until the API answers. */
async function npmStartSeconds(projectDir: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.resolve('local/start.ts'), '--port', String(port)], {
    cwd: projectDir,
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const answered = await fetch(`http://127.0.0.1:${port}/jobs/none`).then(
        () => true,
        () => false,
      );
      if (answered) return (performance.now() - started) / 1000;
      if (performance.now() - started > 60_000) throw new Error('npm start did not serve in 60 s');
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
}

async function jobLatencies(url: string): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_JOBS; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'simulate', payload: {} }),
    });
    const { jobId } = (await res.json()) as { jobId: string };
    for (;;) {
      const job = (await (await fetch(`${url}/jobs/${jobId}`)).json()) as { status: string };
      if (job.status === 'succeeded') break;
      await new Promise((r) => setTimeout(r, 1));
    }
    latencies.push(performance.now() - started);
  }
  return latencies.sort((a, b) => a - b);
}

/** Edits a file by a textual replacement and waits until `served` says the new code is running; seconds. */
async function timeEdit(file: string, from: string, to: string, served: () => Promise<boolean>): Promise<number> {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} no longer contains ${from}`);
  const started = performance.now();
  writeFileSync(file, text.replace(from, to));
  for (;;) {
    if (await served()) return (performance.now() - started) / 1000;
    if (performance.now() - started > 120_000) throw new Error(`the edit of ${file} was not served in 120 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function main(): Promise<void> {
  const projectDir = scratchProject();
  try {
    // The first start synthesizes into the scratch copy; `npm start` then finds the assembly fresh.
    const { runtime, output } = await startRuntime(projectDir);
    const start = await npmStartSeconds(projectDir);
    try {
      const latencies = await jobLatencies(runtime.url);
      const routes = path.join(projectDir, 'lambda/api/routes.ts');
      const codeReloads: number[] = [];
      // The source text of routes.ts's message, `${jobId}` and all.
      let marker = ['No job with id "$', '{jobId}".'].join('');
      for (let i = 1; i <= EDITS; i++) {
        const next = `No job with id "\${jobId}" (edit ${i}).`;
        codeReloads.push(
          await timeEdit(routes, marker, next, async () => {
            const body = await (await fetch(`${runtime.url}/jobs/no-such-job`)).text();
            return body.includes(`(edit ${i})`);
          }),
        );
        marker = next;
      }
      const simulate = path.join(projectDir, 'lambda/jobs/simulate.ts');
      const synthReloads: number[] = [];
      let description = "'Sleeps sleepMs";
      for (let i = 1; i <= 2; i++) {
        const seen = output.lines.length;
        const next = `'(edit ${i}) Sleeps sleepMs`;
        synthReloads.push(
          await timeEdit(simulate, description, next, async () =>
            output.lines
              .slice(seen)
              .some((l) => l.text.startsWith('Reloaded in') || l.text.startsWith('Reload failed')),
          ),
        );
        description = next;
      }
      const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
      const p50 = percentile(latencies, 50);
      console.log(
        `bench:devloop, in a scratch copy of the project (${LATENCY_JOBS} sequential jobs, ${EDITS} code edits)`,
      );
      console.log(
        `  npm start to serving, warm synth cache     ${start.toFixed(2)} s   (goal <= ${GOALS.startSeconds} s: ${met(start <= GOALS.startSeconds)})`,
      );
      console.log(
        `  POST /jobs to succeeded, 0 ms job          p50 ${p50.toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms   (goal p50 <= ${GOALS.p50Ms} ms: ${met(p50 <= GOALS.p50Ms)})`,
      );
      const code = median(codeReloads);
      console.log(
        `  save function code to new code serving     median ${code.toFixed(2)} s, max ${Math.max(...codeReloads).toFixed(2)} s   (goal <= ${GOALS.codeReloadSeconds} s: ${met(code <= GOALS.codeReloadSeconds)})`,
      );
      console.log(
        `  save a file the CDK app reads to reloaded  ${synthReloads.map((s) => `${s.toFixed(2)} s`).join(', ')}   (a synth: what every change took before)`,
      );
    } finally {
      await runtime.stop();
    }
  } finally {
    rmSync(projectDir, { recursive: true, force: true });
  }
}

await main();
