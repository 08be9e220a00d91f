import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../../cli/args.js';
import { eventLine, events } from '../../../cli/commands/events.js';
import { EXIT } from '../../../cli/errors.js';
import type { EventFeed, FeedItem } from '../../../cli/targets/event-feed.js';
import { captureIo, fakeTarget } from './fakes.js';

const succeeded: FeedItem = {
  event: {
    time: '2026-11-24T00:00:01Z',
    source: 'queue-workers',
    'detail-type': 'Job Succeeded',
    detail: { jobId: 'j-1', type: 'simulate', status: 'succeeded', attempts: 2, result: { attempt: 2 } },
  },
  busName: 'bus',
  deliveries: [{ rule: 'AllJobEvents', target: 'sqs probe', status: 'delivered' }],
};
const failed: FeedItem = {
  event: {
    time: '2026-11-24T00:00:02Z',
    'detail-type': 'Job Failed',
    detail: { jobId: 'j-2', type: 'webhook.deliver', attempts: 8, error: { code: 'RETRYABLE' } },
  },
};

/** A feed that keeps `kept` (unless `history` is false) and streams `live` to a follower. */
function feed(kept: FeedItem[], live: FeedItem[], history = true): EventFeed & { readyCalls: number } {
  const f = {
    description: 'the fake bus',
    readyCalls: 0,
    ...(history ? { recent: async (limit: number) => kept.slice(-limit) } : {}),
    async *follow(_signal: AbortSignal | undefined, ready: () => void) {
      f.readyCalls += 1;
      ready();
      yield* live;
    },
  };
  return f;
}

describe('qw events', () => {
  it('prints the kept events, oldest first, with the rule targets each went to', async () => {
    const { io, stdout } = captureIo();
    const target = fakeTarget(() => ({ status: 200, body: {} }), { events: feed([succeeded, failed], []) });

    const code = await events(target, io, { follow: false, max: 20, json: false });

    expect(code).toBe(EXIT.OK);
    const lines = stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/Job Succeeded {2}simulate j-1 {2}attempts 2$/);
    expect(lines[1]).toBe('    AllJobEvents -> sqs probe ok');
    expect(lines[2]).toMatch(/Job Failed {2}webhook\.deliver j-2 {2}attempts 8 {2}RETRYABLE$/);
  });

  it('keeps to --max of the newest, and prints one JSON document per event with --json', async () => {
    const { io, stdout } = captureIo();
    const target = fakeTarget(() => ({ status: 200, body: {} }), { events: feed([succeeded, failed], []) });

    await events(target, io, { follow: false, max: 1, json: true });

    expect(
      stdout()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([failed]);
  });

  it('follows new events after the kept ones, and says where it listens on stderr', async () => {
    const { io, stdout, stderr } = captureIo();
    const source = feed([succeeded], [failed]);
    const target = fakeTarget(() => ({ status: 200, body: {} }), { events: source });

    await events(target, io, { follow: true, max: 20, json: false });

    expect(stdout()).toMatch(/j-1[\s\S]*j-2/);
    expect(stderr()).toBe('Following the fake bus. Ctrl+C to stop.\n');
    expect(source.readyCalls).toBe(1);
  });

  it('on a stack that keeps no history, asks for --follow (exit 2) and follows with it', async () => {
    const target = fakeTarget(() => ({ status: 200, body: {} }), { events: feed([], [failed], false) });

    await expect(events(target, captureIo().io, { follow: false, max: 20, json: false })).rejects.toMatchObject({
      exitCode: EXIT.USAGE,
      hint: expect.stringMatching(/--follow/),
    });
    const { io, stdout } = captureIo();
    expect(await events(target, io, { follow: true, max: 20, json: true })).toBe(EXIT.OK);
    expect(JSON.parse(stdout())).toEqual(failed);
  });

  it('says a stack without a job event bus has none (exit 3)', async () => {
    const target = fakeTarget(() => ({ status: 200, body: {} }));

    await expect(events(target, captureIo().io, { follow: true, max: 20, json: false })).rejects.toMatchObject({
      exitCode: EXIT.NO_TARGET,
      message: expect.stringMatching(/no job event bus/),
    });
  });

  it('reads --follow, -f and --max, and refuses arguments', () => {
    expect(parseInvocation(['events'])).toMatchObject({ command: { name: 'events', follow: false, max: 20 } });
    expect(parseInvocation(['events', '-f', '--max', '5'])).toMatchObject({
      command: { name: 'events', follow: true, max: 5 },
    });
    expect(() => parseInvocation(['events', 'simulate'])).toThrow(/events takes no arguments/);
    expect(() => parseInvocation(['events', '--once'])).toThrow(/events takes no --once/);
  });

  it('shows an event that is not a job event by its source, and a result left out', () => {
    expect(eventLine({ event: { source: 'orders', detail: {} } })).toMatch(/- {2}orders$/);
    const big = { event: { ...succeeded.event, detail: { ...succeeded.event.detail, resultOmitted: {} } } };
    expect(eventLine(big)).toMatch(/result left out \(too large\)/);
    expect(eventLine({ ...failed, deliveries: [] })).toMatch(/\n {4}no rule matched$/);
  });
});
