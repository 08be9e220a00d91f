import { CLIENT_ERROR_CODES, JobApiError } from '@queue-workers/client';
import { isTerminal, type JobView } from '../lambda/shared/job.js';
import { fromApiError } from './api.js';
import { CliError, EXIT, type ExitCode } from './errors.js';
import { type CliIo, writeJson } from './io.js';
import type { Target } from './targets/target.js';

/** The CLI error for a failed read of job `jobId`: NOT_FOUND for a 404, else by {@link fromApiError}. */
function readFailure(error: unknown, target: Target, jobId: string): CliError {
  if (error instanceof JobApiError && error.status === 404) {
    return new CliError(EXIT.NOT_FOUND, `No job "${jobId}" on ${target.description} (never submitted, or expired).`);
  }
  return fromApiError(error, `Reading job ${jobId} failed`, target.jobs);
}

/** The job, or NOT_FOUND. */
export async function getJob(target: Target, jobId: string): Promise<JobView> {
  try {
    return await target.jobs.get(jobId);
  } catch (error) {
    throw readFailure(error, target, jobId);
  }
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
    ...(job.progress !== undefined ? [['progress', progressText(job.progress)]] : []),
    ...(job.cancelRequested ? [['cancel', 'requested: the job was asked to stop']] : []),
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

/** A bar for a number (a percentage, by convention), or the object's JSON. */
export function progressText(progress: NonNullable<JobView['progress']>): string {
  if (typeof progress !== 'number') return JSON.stringify(progress);
  const percent = Math.max(0, Math.min(100, progress));
  const filled = Math.round(percent / 5);
  return `[${'#'.repeat(filled)}${'.'.repeat(20 - filled)}] ${Number(progress.toFixed(1))}%`;
}

/** `running · attempt 1/3 · [####....] 20% · last error RETRYABLE: …`: what changed in a job, on one line. */
function progressLine(job: JobView, maxAttempts: number | undefined): string {
  const attempt = job.attempts ? `attempt ${job.attempts}${maxAttempts ? `/${maxAttempts}` : ''}` : 'not started';
  const progress = job.progress !== undefined ? ` · ${progressText(job.progress)}` : '';
  const asked = job.cancelRequested ? ' · asked to stop' : '';
  return `${job.status} · ${attempt}${progress}${asked}${job.error ? ` · last error ${job.error.code}: ${job.error.message}` : ''}`;
}

/** Thrown by the progress display to stop waiting when Ctrl+C was pressed: the job goes on. */
class StopWaiting extends Error {}

/**
 * Follows the job with the client's `waitFor` until it is succeeded or failed,
 * showing its progress: on a terminal one live line (status, attempt, elapsed
 * time), otherwise one line per change. Exit code OK, JOB_FAILED, or TIMEOUT.
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
  let latest: JobView | undefined;
  let tick = 0;
  const show = async (job: JobView) => {
    latest = job;
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const line = progressLine(job, await maxAttempts(job));
    if (live) io.stderr.write(`\r\x1b[2K${SPINNER[tick % SPINNER.length]} ${jobId} ${line} · ${elapsed} s`);
    else if (!options.json && line !== last) io.stderr.write(`  ${elapsed.padStart(6)} s  ${line}\n`);
    last = line;
    tick += 1;
    // Ctrl+C stops the waiting, not the read: the job as it is now is still shown.
    if (io.signal?.aborted && !isTerminal(job.status)) throw new StopWaiting();
  };
  let job: JobView;
  try {
    job = await target.jobs.waitFor(jobId, { timeoutMs: options.timeoutSeconds * 1000, onUpdate: show });
  } catch (error) {
    const gaveUp =
      error instanceof StopWaiting || (error instanceof JobApiError && error.code === CLIENT_ERROR_CODES.WAIT_TIMEOUT);
    if (!gaveUp || !latest) throw readFailure(error, target, jobId);
    if (live) io.stderr.write('\n');
    if (options.json) writeJson(io, latest);
    throw new CliError(
      EXIT.TIMEOUT,
      `Job ${jobId} is still ${latest.status} after ${options.timeoutSeconds} s; it goes on. Follow it with: qw status ${jobId} --wait`,
    );
  }
  if (live) io.stderr.write('\n');
  if (options.json) writeJson(io, job);
  else printJob(io, job);
  return job.status === 'succeeded' ? EXIT.OK : EXIT.JOB_FAILED;
}
