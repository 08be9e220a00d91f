import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, EXIT, type ExitCode } from '../errors.js';
import { type CliIo, writeJson } from '../io.js';
import type { Target } from '../target.js';
import { getJob, type JobView, printJob } from './status.js';

/** Options of `qw submit`. */
export interface SubmitOptions {
  readonly type: string;
  /** JSON text, or `@file` to read it from a file (`@-` reads stdin). */
  readonly payload: string;
  readonly wait: boolean;
  readonly timeoutSeconds: number;
  readonly idempotencyKey?: string;
  readonly json: boolean;
}

async function readPayload(io: CliIo, payload: string): Promise<unknown> {
  let text = payload;
  if (payload.startsWith('@')) {
    const file = payload.slice(1);
    try {
      if (file === '-') {
        const chunks: Buffer[] = [];
        for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
        text = Buffer.concat(chunks).toString('utf8');
      } else {
        text = await readFile(path.resolve(io.cwd, file), 'utf8');
      }
    } catch (error) {
      throw new CliError(EXIT.USAGE, `Cannot read the payload file ${file}: ${(error as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(
      EXIT.USAGE,
      `The payload is not JSON: ${(error as Error).message}`,
      'Quote it: --payload \'{"sleepMs":100}\', or use --payload @file.json.',
    );
  }
}

/** The exit code and message for an API rejection, by the API's error code. */
export function apiRejection(status: number, body: Record<string, unknown>, what: string): CliError {
  const error = (body.error ?? {}) as { code?: string; message?: string; details?: unknown };
  const message = error.message ?? (body.message as string | undefined) ?? `HTTP ${status}`;
  const details = error.details ? `\n  details: ${JSON.stringify(error.details)}` : '';
  const code =
    error.code === 'UNKNOWN_JOB_TYPE' || status === 404 ? EXIT.NOT_FOUND : status >= 500 ? EXIT.ERROR : EXIT.REFUSED;
  return new CliError(code, `${what} (${status}${error.code ? ` ${error.code}` : ''}): ${message}${details}`);
}

/** `qw submit <type> --payload JSON|@file [--wait]`. */
export async function submit(target: Target, io: CliIo, options: SubmitOptions): Promise<ExitCode> {
  const payload = await readPayload(io, options.payload);
  const res = await target.api('POST', '/jobs', {
    type: options.type,
    payload,
    ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
  });
  if (res.status !== 202) throw apiRejection(res.status, res.body, 'The API rejected the job');
  const jobId = res.body.jobId as string;
  if (!options.wait) {
    if (options.json) writeJson(io, res.body);
    else io.stdout.write(`Submitted ${options.type} job ${jobId} (${res.body.status}).\n  qw status ${jobId}\n`);
    return EXIT.OK;
  }
  if (!options.json)
    io.stderr.write(`Submitted ${options.type} job ${jobId}; waiting for it to finish (Ctrl+C stops waiting).\n`);
  return waitForJob(target, io, jobId, options);
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

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
  // The local runtime knows maxAttempts up front; elsewhere it is the queue's maxReceiveCount, read once.
  let knownMax: Promise<number | undefined> | undefined;
  const maxAttempts = (job: JobView) => {
    const upFront = target.types.find((t) => t.type === job.type)?.maxAttempts;
    knownMax ??= upFront
      ? Promise.resolve(upFront)
      : target.jobType(job.type).then(
          (t) => t.maxAttempts,
          () => undefined,
        );
    return knownMax;
  };
  let last = '';
  let job: JobView | undefined;
  for (let tick = 0; ; tick++) {
    job = await getJob(target, jobId);
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    const max = await maxAttempts(job);
    const attempt = job.attempts ? `attempt ${job.attempts}${max ? `/${max}` : ''}` : 'not started';
    const line = `${job.status} · ${attempt}${job.error ? ` · last error ${job.error.code}: ${job.error.message}` : ''}`;
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
    await sleep(tick < 20 ? 250 : 1000);
  }
  if (live) io.stderr.write('\n');
  if (options.json) writeJson(io, job);
  else printJob(io, job);
  return job.status === 'failed' ? EXIT.JOB_FAILED : EXIT.OK;
}
