import { setTimeout as sleep } from 'node:timers/promises';
import type { JobView } from '../lambda/shared/job.js';
import { apiRejection } from './api.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { type CliIo, writeJson } from './io.js';
import type { Target } from './targets/target.js';

/** The job, or NOT_FOUND. */
export async function getJob(target: Target, jobId: string): Promise<JobView> {
  const res = await target.api('GET', `/jobs/${encodeURIComponent(jobId)}`);
  if (res.status === 404) {
    throw new CliError(EXIT.NOT_FOUND, `No job "${jobId}" on ${target.description} (never submitted, or expired).`);
  }
  if (res.status !== 200) throw apiRejection(res.status, res.body, `Reading job ${jobId} failed`);
  return res.body as unknown as JobView;
}

/** A job as a few aligned lines. */
export function printJob(io: CliIo, job: JobView): void {
  const lines = [
    ['job', job.jobId],
    ['type', job.type],
    ['status', job.status],
    ['attempts', String(job.attempts)],
    ['created', job.createdAt],
    ['updated', job.updatedAt],
    ...(job.result !== undefined ? [['result', JSON.stringify(job.result)]] : []),
    ...(job.error ? [['error', `${job.error.code}: ${job.error.message}`]] : []),
  ];
  io.stdout.write(`${lines.map(([k, v]) => `${(k ?? '').padEnd(9)}${v}`).join('\n')}\n`);
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * The job type's maxAttempts, looked up once per wait: the local runtime knows
 * it up front; elsewhere it is the queue's maxReceiveCount, read from SQS.
 * `undefined` when it cannot be read: progress then shows the attempt alone.
 */
function maxAttemptsOnce(target: Target): (job: JobView) => Promise<number | undefined> {
  let known: Promise<number | undefined> | undefined;
  return (job) => {
    const upFront = target.types.find((t) => t.type === job.type)?.maxAttempts;
    known ??= upFront
      ? Promise.resolve(upFront)
      : target.jobType(job.type).then(
          (t) => t.maxAttempts,
          () => undefined,
        );
    return known;
  };
}

/** `running · attempt 1/3 · last error RETRYABLE: …`: what changed in a job, on one line. */
function progressLine(job: JobView, maxAttempts: number | undefined): string {
  const attempt = job.attempts ? `attempt ${job.attempts}${maxAttempts ? `/${maxAttempts}` : ''}` : 'not started';
  return `${job.status} · ${attempt}${job.error ? ` · last error ${job.error.code}: ${job.error.message}` : ''}`;
}

/**
 * Polls the job until it is succeeded or failed, showing its progress: on a
 * terminal one live line (status, attempt, elapsed time), otherwise one line
 * per change. Exit code OK, JOB_FAILED, or TIMEOUT.
 */
export async function waitForJob(
  target: Target,
  io: CliIo,
  jobId: string,
  options: { readonly timeoutSeconds: number; readonly json: boolean },
): Promise<ExitCode> {
  const started = Date.now();
  const live = io.stderr.isTTY === true && !options.json;
  const maxAttempts = maxAttemptsOnce(target);
  let last = '';
  let job: JobView | undefined;
  for (let tick = 0; ; tick++) {
    job = await getJob(target, jobId);
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const line = progressLine(job, await maxAttempts(job));
    if (live) io.stderr.write(`\r\x1b[2K${SPINNER[tick % SPINNER.length]} ${jobId} ${line} · ${elapsed} s`);
    else if (!options.json && line !== last) io.stderr.write(`  ${elapsed.padStart(6)} s  ${line}\n`);
    last = line;
    if (job.status === 'succeeded' || job.status === 'failed') break;
    if (Date.now() - started > options.timeoutSeconds * 1000 || io.signal?.aborted) {
      if (live) io.stderr.write('\n');
      if (options.json) writeJson(io, job);
      throw new CliError(
        EXIT.TIMEOUT,
        `Job ${jobId} is still ${job.status} after ${options.timeoutSeconds} s; it goes on. Follow it with: qw status ${jobId} --wait`,
      );
    }
    // Quick polls at first, when short jobs finish; then once a second.
    await sleep(tick < 20 ? 250 : 1000);
  }
  if (live) io.stderr.write('\n');
  if (options.json) writeJson(io, job);
  else printJob(io, job);
  return job.status === 'failed' ? EXIT.JOB_FAILED : EXIT.OK;
}
