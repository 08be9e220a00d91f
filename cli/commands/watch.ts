import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueRow } from '../../ops/queue-stats.js';
import { queueCounts } from '../../ops/queue-stats.js';
import { EXIT, type ExitCode, fromAwsError } from '../errors.js';
import { type CliIo, formatAge, table, writeJson } from '../io.js';
import type { Rates } from '../rates.js';
import type { Target } from '../targets/target.js';

/** One snapshot of every job type's queue. */
export interface QueueSnapshot {
  readonly at: string;
  readonly target: string;
  readonly queues: readonly QueueRow[];
}

/** SQS's counts of each queue and DLQ, with the target's oldest-age and rate figures. */
export async function snapshot(target: Target): Promise<QueueSnapshot> {
  try {
    const rates = await target.rates().catch(() => new Map<string, Rates>());
    const queues = await Promise.all(
      target.types.map(async (t) => {
        const [counts, dlq] = await Promise.all([
          queueCounts(target.sqs, t.queueUrl),
          queueCounts(target.sqs, t.dlqUrl),
        ]);
        const r = rates.get(t.type);
        return {
          type: t.type,
          ...counts,
          dlq: dlq.visible + dlq.inFlight + dlq.delayed,
          oldestAgeSeconds: r?.oldestAgeSeconds ?? null,
          jobsPerSecond: r?.jobsPerSecond ?? null,
        };
      }),
    );
    return { at: new Date().toISOString(), target: target.description, queues };
  } catch (error) {
    throw fromAwsError(error, 'Reading the queues');
  }
}

/** The snapshot as a table with a header line and the source of the rates. */
export function renderSnapshot(target: Target, snap: QueueSnapshot): string {
  const known = target.kind !== 'emulator';
  const rows = snap.queues.map((q) => [
    q.type,
    String(q.visible),
    String(q.inFlight),
    String(q.delayed),
    String(q.dlq),
    formatAge(q.oldestAgeSeconds, known),
    known && q.jobsPerSecond !== null ? q.jobsPerSecond.toFixed(1) : 'n/a',
  ]);
  return [
    `${target.description} · ${new Date(snap.at).toLocaleTimeString()}`,
    '',
    table(['TYPE', 'VISIBLE', 'IN FLIGHT', 'DELAYED', 'DLQ', 'OLDEST', 'JOBS/S'], rows),
    '',
    target.ratesSource,
  ].join('\n');
}

/**
 * `qw watch`: the table, refreshed every `intervalSeconds` until Ctrl+C (on a
 * terminal it redraws in place); `--once` prints one snapshot, `--json` one
 * JSON document per snapshot.
 */
export async function watch(
  target: Target,
  io: CliIo,
  options: { readonly once: boolean; readonly intervalSeconds: number; readonly json: boolean },
): Promise<ExitCode> {
  const redraw = io.stdout.isTTY === true && !options.json && !options.once;
  for (;;) {
    const snap = await snapshot(target);
    if (options.json) writeJson(io, snap);
    else if (redraw) io.stdout.write(`\x1b[H\x1b[2J${renderSnapshot(target, snap)}\n\nCtrl+C to stop.\n`);
    else io.stdout.write(`${renderSnapshot(target, snap)}\n`);
    if (options.once || io.signal?.aborted) return EXIT.OK;
    await sleep(options.intervalSeconds * 1000, undefined, io.signal ? { signal: io.signal } : {}).catch(
      () => undefined,
    );
    if (io.signal?.aborted) return EXIT.OK;
  }
}
