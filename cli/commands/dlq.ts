import { RedriveRefusedError, RedriveUnsupportedError } from '../../lambda/shared/errors.js';
import { DynamoJobStore } from '../../lambda/shared/job-store.js';
import { redrive } from '../../lambda/shared/redrive.js';
import { listDeadLetters, purgeDeadLetters } from '../../ops/dead-letters.js';
import { queueCounts } from '../../ops/queue-stats.js';
import { CliError, EXIT, type ExitCode, fromAwsError } from '../errors.js';
import { ask, type CliIo, table, writeJson } from '../io.js';
import type { Target } from '../targets/target.js';

/** `qw dlq list <type>`: the messages, their failure reason and attempt, left in the DLQ. */
export async function dlqList(
  target: Target,
  io: CliIo,
  options: { readonly type: string; readonly max: number; readonly json: boolean },
): Promise<ExitCode> {
  const t = await target.jobType(options.type);
  let messages: Awaited<ReturnType<typeof listDeadLetters>>;
  try {
    messages = await listDeadLetters(target.sqs, t.dlqUrl, { max: options.max });
  } catch (error) {
    throw fromAwsError(error, `Reading the ${t.type} DLQ`);
  }
  if (options.json) {
    writeJson(io, { type: t.type, dlq: t.dlqName, count: messages.length, messages });
    return EXIT.OK;
  }
  if (!messages.length) {
    io.stdout.write(`The ${t.type} DLQ (${t.dlqName}) is empty.\n`);
    return EXIT.OK;
  }
  const rows = messages.map((m) => [
    m.jobId ?? '?',
    m.attempt !== undefined ? String(m.attempt) : '?',
    m.failedAt ?? m.sentAt ?? '',
    m.errorCode
      ? `${m.errorCode}: ${(m.errorMessage ?? '').replace(/\s+/g, ' ').slice(0, 100)}`
      : '(moved by SQS after maxReceiveCount; no reason recorded)',
  ]);
  io.stdout.write(
    `${messages.length} message(s) in the ${t.type} DLQ (${t.dlqName}), oldest first; read without removing them:\n\n${table(['JOB', 'ATTEMPT', 'FAILED AT', 'REASON'], rows)}\n\n  qw dlq redrive ${t.type}   sends them back to the queue\n`,
  );
  return EXIT.OK;
}

/**
 * `qw dlq redrive <type>`: the readable jobs back to `queued`, then SQS's
 * StartMessageMoveTask; where the endpoint lacks it (the local runtime and
 * emulators), a receive-send-delete loop, said so plainly.
 */
export async function dlqRedrive(
  target: Target,
  io: CliIo,
  options: { readonly type: string; readonly maxPerSecond?: number; readonly json: boolean },
): Promise<ExitCode> {
  const t = await target.jobType(options.type);
  let result: Awaited<ReturnType<typeof redrive>>;
  try {
    // The job store gets the retention the stack was deployed with, so a redriven job that fails again expires on time.
    const store = new DynamoJobStore({
      doc: target.doc,
      tableName: target.tableName,
      retentionDays: target.retentionDays,
    });
    result = await redrive(
      { sqs: target.sqs, store },
      { type: t.type, maxAttempts: t.maxAttempts, dlqUrl: t.dlqUrl, dlqArn: t.dlqArn, queueUrl: t.queueUrl },
      {
        allowManual: target.manualRedrive,
        ...(options.maxPerSecond ? { maxPerSecond: options.maxPerSecond } : {}),
      },
    );
  } catch (error) {
    if (error instanceof RedriveRefusedError) throw new CliError(EXIT.REFUSED, error.message);
    if (error instanceof RedriveUnsupportedError) {
      throw new CliError(
        EXIT.REFUSED,
        `${error.message} (${target.description})`,
        'Use --target emulator for an emulator.',
      );
    }
    throw fromAwsError(error, `Redriving the ${t.type} DLQ`);
  }
  if (options.json) {
    writeJson(io, { type: t.type, ...result });
    return EXIT.OK;
  }
  if (result.method === 'manual') {
    io.stdout.write(
      `NOTE: ${target.description} has no StartMessageMoveTask; qw moved the messages itself (receive, send, delete).\n` +
        `${options.maxPerSecond ? '      --max-per-second applies to move tasks only and was ignored.\n' : ''}` +
        `Moved ${result.moved} message(s) from ${t.dlqName} back to ${t.queueName}; ${result.requeued} job(s) set back to queued.\n`,
    );
  } else {
    io.stdout.write(
      `Started StartMessageMoveTask ${result.taskHandle ?? ''} from ${t.dlqName} back to ${t.queueName}` +
        `${options.maxPerSecond ? ` at ${options.maxPerSecond} messages/s` : ''}; ${result.requeued} job(s) set back to queued.\n` +
        `  qw watch   shows the DLQ drain\n`,
    );
  }
  return EXIT.OK;
}

/** `qw dlq purge <type> [--yes]`: deletes every message of the DLQ after a confirmation. */
export async function dlqPurge(
  target: Target,
  io: CliIo,
  options: { readonly type: string; readonly yes: boolean; readonly json: boolean },
): Promise<ExitCode> {
  const t = await target.jobType(options.type);
  let count: number;
  try {
    const c = await queueCounts(target.sqs, t.dlqUrl);
    count = c.visible + c.inFlight + c.delayed;
  } catch (error) {
    throw fromAwsError(error, `Reading the ${t.type} DLQ`);
  }
  if (!options.yes) {
    const answer = await ask(
      io,
      `Delete all ${count} message(s) of ${t.dlqName} on ${target.description}? Their jobs stay failed and cannot be redriven. [y/N] `,
    );
    if (!/^y(es)?$/i.test((answer ?? '').trim())) {
      io.stderr.write('Not purged.\n');
      return EXIT.ABORTED;
    }
  }
  try {
    await purgeDeadLetters(target.sqs, t.dlqUrl);
  } catch (error) {
    if ((error as Error).name?.includes('PurgeQueueInProgress')) {
      throw new CliError(EXIT.REFUSED, `SQS allows one purge per queue every 60 s; ${t.dlqName} was purged recently.`);
    }
    throw fromAwsError(error, `Purging the ${t.type} DLQ`);
  }
  if (options.json) writeJson(io, { type: t.type, dlq: t.dlqName, purged: count });
  else io.stdout.write(`Purged ${t.dlqName}: ${count} message(s) deleted.\n`);
  return EXIT.OK;
}
