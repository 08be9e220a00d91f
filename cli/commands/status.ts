import { CliError, EXIT, type ExitCode } from '../errors.js';
import { type CliIo, writeJson } from '../io.js';
import type { Target } from '../target.js';
import { apiRejection, waitForJob } from './submit.js';

/** A job as `GET /jobs/{jobId}` returns it. */
export interface JobView {
  readonly jobId: string;
  readonly type: string;
  readonly status: string;
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
}

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

/** `qw status <jobId> [--wait]`. */
export async function status(
  target: Target,
  io: CliIo,
  options: { readonly jobId: string; readonly wait: boolean; readonly timeoutSeconds: number; readonly json: boolean },
): Promise<ExitCode> {
  if (options.wait) return waitForJob(target, io, options.jobId, options);
  const job = await getJob(target, options.jobId);
  if (options.json) writeJson(io, job);
  else printJob(io, job);
  return EXIT.OK;
}
