/**
 * A script that submits a batch of jobs and waits for all of them, printing
 * what became of each; Ctrl+C stops waiting (the jobs go on).
 *
 *   npm start                                        # the job API on http://127.0.0.1:3000
 *   npx tsx client/examples/batch-and-wait.ts 250    # 250 simulate jobs, some failing once
 */
import { createJobClient, type FinishedJobOf, JobApiError } from '@queue-workers/client';
import type { jobTypes } from '../../lambda/jobs/registry.js';

const jobs = createJobClient<typeof jobTypes>({
  url: process.env.JOBS_API_URL ?? 'http://127.0.0.1:3000',
  auth: 'none',
});
const count = Number(process.argv[2] ?? 100);
/** Jobs followed at once: each wait reads its job every second, and the API's stage allows 100 requests/s. */
const WAITING_AT_ONCE = 20;

const stop = new AbortController();
process.once('SIGINT', () => stop.abort(new Error('stopped waiting (Ctrl+C); the jobs go on')));

// One call; the client sends 100 jobs per request and gives one result per item, in order.
const batch = await jobs.submitBatch(
  Array.from({ length: count }, (_v, i) => ({
    type: 'simulate' as const,
    payload: { sleepMs: 200, failTimes: i % 10 === 0 ? 1 : 0 },
    idempotencyKey: `nightly-2026-11-29-${i}`,
  })),
  { signal: stop.signal },
);
console.log(`accepted ${batch.accepted}, rejected ${batch.rejected}`);
for (const [i, r] of batch.results.entries()) {
  if ('error' in r) console.log(`  item ${i}: ${r.error.code}: ${r.error.message}`);
}

// Wait for every accepted job, WAITING_AT_ONCE at a time.
const ids = batch.results.flatMap((r) => ('jobId' in r ? [r.jobId] : []));
const finished: FinishedJobOf<typeof jobTypes>[] = [];
let next = 0;
async function follow(): Promise<void> {
  for (let id = ids[next++]; id !== undefined; id = ids[next++]) {
    finished.push(await jobs.waitFor(id, { signal: stop.signal, pollIntervalMs: 1000, timeoutMs: 10 * 60_000 }));
  }
}
try {
  await Promise.all(Array.from({ length: WAITING_AT_ONCE }, follow));
} catch (error) {
  console.error(error instanceof JobApiError ? `${error.code}: ${error.message}` : String(error));
  process.exitCode = 1;
}

const failed = finished.filter((j) => j.status === 'failed');
const retried = finished.filter((j) => j.attempts > 1).length;
console.log(`${finished.length - failed.length} succeeded (${retried} after a retry), ${failed.length} failed`);
for (const j of failed) console.log(`  ${j.jobId}: ${j.error?.code}: ${j.error?.message}`);
