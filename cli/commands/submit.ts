import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { JobAccepted } from '@queue-workers/client';
import { fromApiError } from '../api.js';
import { CliError, EXIT, type ExitCode } from '../errors.js';
import { type CliIo, writeJson } from '../io.js';
import { waitForJob } from '../jobs.js';
import type { Target } from '../targets/target.js';

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

/** `qw submit <type> --payload JSON|@file [--wait]`. */
export async function submit(target: Target, io: CliIo, options: SubmitOptions): Promise<ExitCode> {
  const payload = await readPayload(io, options.payload);
  let accepted: JobAccepted;
  try {
    // Without --idempotency-key the client makes a key up, so its retries cannot queue the job twice.
    accepted = await target.jobs.submit(
      options.type,
      payload,
      options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {},
    );
  } catch (error) {
    throw fromApiError(error, 'The API rejected the job', target.jobs);
  }
  const { jobId } = accepted;
  if (!options.wait) {
    if (options.json) writeJson(io, accepted);
    else io.stdout.write(`Submitted ${options.type} job ${jobId} (${accepted.status}).\n  qw status ${jobId}\n`);
    return EXIT.OK;
  }
  if (!options.json)
    io.stderr.write(`Submitted ${options.type} job ${jobId}; waiting for it to finish (Ctrl+C stops waiting).\n`);
  return waitForJob(target, io, jobId, options);
}
