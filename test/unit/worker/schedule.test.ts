import { setTimeout as sleep } from 'node:timers/promises';
import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { NEAR_DEADLINE, runScheduled } from '../../../lambda/worker/schedule.js';
import { sqsRecord } from '../../helpers/events.js';

const record = (id: string, group = 'g') =>
  sqsRecord('{}', { messageId: id, attributes: { ...sqsRecord('{}').attributes, MessageGroupId: group } });

/** Steps that record the order of runs and skips; records named `fail*` block their FIFO group. */
function steps() {
  const log: string[] = [];
  let running = 0;
  let widest = 0;
  const busyLanes = new Set<number>();
  const lanesSeen = new Set<number>();
  return {
    log,
    widest: () => widest,
    lanesSeen,
    run: async (r: SQSRecord, lane: number) => {
      // A lane runs one record at a time: the deadline keeps one race per lane.
      if (busyLanes.has(lane)) throw new Error(`lane ${lane} was given ${r.messageId} while busy`);
      busyLanes.add(lane);
      lanesSeen.add(lane);
      running += 1;
      widest = Math.max(widest, running);
      await sleep(1);
      running -= 1;
      busyLanes.delete(lane);
      log.push(`run ${r.messageId}`);
      return r.messageId.startsWith('fail') ? 'failed' : 'ok';
    },
    skip: (r: SQSRecord, reason: string) => {
      log.push(`skip ${r.messageId}: ${reason}`);
      return 'skipped';
    },
    blocksGroup: (outcome: string) => outcome !== 'ok',
  };
}

describe('runScheduled', () => {
  it('runs a standard batch in at most `width` lanes and returns outcomes in the batch order', async () => {
    // Prepare
    const records = Array.from({ length: 7 }, (_, i) => record(`r${i}`));
    const s = steps();

    // Act
    const outcomes = await runScheduled(records, { width: 3, fifo: false, canStart: () => true }, s);

    // Assess
    expect(outcomes).toEqual(Array(7).fill('ok'));
    expect(s.widest()).toBe(3);
    expect([...s.lanesSeen].sort()).toEqual([0, 1, 2]);
  });

  it('runs at least one lane whatever the width says', async () => {
    const s = steps();

    const outcomes = await runScheduled([record('a')], { width: 0, fifo: false, canStart: () => true }, s);

    expect(outcomes).toEqual(['ok']);
  });

  it('skips every record once the deadline is near', async () => {
    const s = steps();

    const outcomes = await runScheduled(
      [record('a'), record('b')],
      { width: 2, fifo: false, canStart: () => false },
      s,
    );

    expect(outcomes).toEqual(['skipped', 'skipped']);
    expect(s.log).toEqual([`skip a: ${NEAR_DEADLINE}`, `skip b: ${NEAR_DEADLINE}`]);
  });

  it('runs FIFO groups side by side, each in order, and skips the rest of a group after its first failure', async () => {
    // Prepare: group x fails at its second record; group y is clean
    const records = [
      record('x1', 'x'),
      record('y1', 'y'),
      record('fail-x2', 'x'),
      record('y2', 'y'),
      record('x3', 'x'),
    ];
    const s = steps();

    // Act
    const outcomes = await runScheduled(records, { width: 2, fifo: true, canStart: () => true }, s);

    // Assess
    expect(outcomes).toEqual(['ok', 'ok', 'failed', 'ok', 'skipped']);
    expect(s.log.filter((l) => l.includes('x'))).toEqual([
      'run x1',
      'run fail-x2',
      'skip x3: An earlier job of message group x failed (message fail-x2); kept in order.',
    ]);
    expect(s.widest()).toBe(2);
  });
});
