import type { SQSRecord } from 'aws-lambda';

/** How a batch's records are run. */
export interface SchedulePolicy {
  /** Records run at once (`concurrencyPerBatch`); at least one lane runs whatever this says. */
  readonly width: number;
  /** FIFO: message groups run side by side, each group in order, stopping at its first failure. */
  readonly fifo: boolean;
  /** False once the deadline is near: records not yet started are skipped from then on. */
  readonly canStart: () => boolean;
}

/** What the scheduler does with one record: run it, or skip it with a reason. */
export interface RecordSteps<T> {
  /** Runs the record in `lane` (0 to width - 1); a lane runs one record at a time. */
  run(record: SQSRecord, lane: number): Promise<T>;
  skip(record: SQSRecord, reason: string): T;
  /** True for an outcome that must stop the rest of a FIFO group (the record comes back). */
  blocksGroup(outcome: T): boolean;
}

/** Why a record was not started because the invocation's time was running out. */
export const NEAR_DEADLINE = 'Not started: the worker was near its deadline.';

/**
 * Runs every record of a batch once (or skips it) and returns their outcomes
 * in the batch's order. Standard queues: `width` lanes, each taking the next
 * record when it is free (Powertools' BatchProcessor starts every record at
 * once). FIFO queues: lanes take whole message groups, so groups run side by
 * side and each in order, and a group stops at its first failure
 * (Powertools' FIFO processor runs the whole batch serially).
 */
export async function runScheduled<T>(
  records: readonly SQSRecord[],
  policy: SchedulePolicy,
  steps: RecordSteps<T>,
): Promise<T[]> {
  const outcomes: T[] = new Array(records.length);
  const units = policy.fifo ? messageGroups(records) : undefined;
  let next = 0;
  const lane = async (id: number): Promise<void> => {
    if (units) {
      while (next < units.length) await runGroup(units[next++] ?? [], id, policy, steps, outcomes);
      return;
    }
    while (next < records.length) {
      const index = next++;
      const record = records[index] as SQSRecord;
      outcomes[index] = policy.canStart() ? await steps.run(record, id) : steps.skip(record, NEAR_DEADLINE);
    }
  };
  const width = Math.min(Math.max(1, policy.width), units?.length ?? records.length);
  await Promise.all(Array.from({ length: width }, (_, id) => lane(id)));
  return outcomes;
}

interface Indexed {
  readonly record: SQSRecord;
  /** The record's place in the batch, where its outcome goes. */
  readonly index: number;
}

/** Records grouped by MessageGroupId, each group in the batch's order. */
function messageGroups(records: readonly SQSRecord[]): Indexed[][] {
  const groups = new Map<string, Indexed[]>();
  records.forEach((record, index) => {
    const id = record.attributes.MessageGroupId ?? '';
    const group = groups.get(id) ?? [];
    group.push({ record, index });
    groups.set(id, group);
  });
  return [...groups.values()];
}

/**
 * Runs a FIFO group's records one after another. After a record that blocks
 * (a failure, or one not started for the deadline) the rest of the group is
 * skipped, so the group's order holds.
 */
async function runGroup<T>(
  group: readonly Indexed[],
  lane: number,
  policy: SchedulePolicy,
  steps: RecordSteps<T>,
  outcomes: T[],
): Promise<void> {
  let blockedBy: string | undefined;
  for (const { record, index } of group) {
    if (blockedBy !== undefined) {
      const group = record.attributes.MessageGroupId;
      outcomes[index] = steps.skip(
        record,
        `An earlier job of message group ${group} failed (message ${blockedBy}); kept in order.`,
      );
    } else if (!policy.canStart()) {
      outcomes[index] = steps.skip(record, NEAR_DEADLINE);
      blockedBy = record.messageId;
    } else {
      const outcome = await steps.run(record, lane);
      outcomes[index] = outcome;
      if (steps.blocksGroup(outcome)) blockedBy = record.messageId;
    }
  }
}
