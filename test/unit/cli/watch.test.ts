import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type QueueSnapshot, renderSnapshot, snapshot, watch } from '../../../cli/commands/watch.js';
import { EXIT } from '../../../cli/errors.js';
import { captureIo, fakeTarget, JOB_TYPES } from './fakes.js';

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

const SNAPSHOT: QueueSnapshot = {
  at: '2026-11-24T01:31:03.000Z',
  target: 'the fake target',
  queues: [
    { type: 'simulate', visible: 102, inFlight: 50, delayed: 0, dlq: 2, oldestAgeSeconds: 4, jobsPerSecond: 15 },
    { type: 'webhook.deliver', visible: 0, inFlight: 0, delayed: 0, dlq: 0, oldestAgeSeconds: null, jobsPerSecond: 0 },
  ],
};

describe('renderSnapshot', () => {
  it('shows the target, the time, a row per job type and where the rates come from', () => {
    // Prepare
    const target = fakeTarget(() => ({ status: 200, body: {} }));

    // Act
    const text = renderSnapshot(target, SNAPSHOT);

    // Assess
    expect(text).toBe(
      [
        `the fake target · ${new Date(SNAPSHOT.at).toLocaleTimeString()}`,
        '',
        'TYPE             VISIBLE  IN FLIGHT  DELAYED  DLQ  OLDEST  JOBS/S',
        'simulate             102         50        0    2     4 s    15.0',
        'webhook.deliver        0          0        0    0       -     0.0',
        '',
        'rates: made up',
      ].join('\n'),
    );
  });

  it('shows n/a for the oldest age and the rate on an emulator, which has no metrics', () => {
    // Prepare
    const target = fakeTarget(() => ({ status: 200, body: {} }), { kind: 'emulator' });

    // Act
    const text = renderSnapshot(target, SNAPSHOT);

    // Assess
    expect(text).toMatch(/^simulate\s+102\s+50\s+0\s+2\s+n\/a\s+n\/a$/m);
    expect(text).toMatch(/^webhook\.deliver\s+0\s+0\s+0\s+0\s+n\/a\s+n\/a$/m);
  });
});

describe('snapshot', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(GetQueueAttributesCommand).callsFake(({ QueueUrl }: { QueueUrl: string }) => ({
      Attributes: QueueUrl.endsWith('-dlq')
        ? {
            ApproximateNumberOfMessages: '1',
            ApproximateNumberOfMessagesNotVisible: '1',
            ApproximateNumberOfMessagesDelayed: '1',
          }
        : {
            ApproximateNumberOfMessages: '5',
            ApproximateNumberOfMessagesNotVisible: '2',
            ApproximateNumberOfMessagesDelayed: '3',
          },
    }));
  });

  it("counts each queue and its whole DLQ, with the target's rates", async () => {
    // Prepare
    const target = fakeTarget(() => ({ status: 200, body: {} }), {
      sqs,
      rates: async () => new Map([['simulate', { oldestAgeSeconds: 7, jobsPerSecond: 1.5 }]]),
    });

    // Act
    const snap = await snapshot(target);

    // Assess
    expect(snap.target).toBe('the fake target');
    expect(snap.queues).toEqual([
      { type: 'simulate', visible: 5, inFlight: 2, delayed: 3, dlq: 3, oldestAgeSeconds: 7, jobsPerSecond: 1.5 },
      {
        type: 'webhook.deliver',
        visible: 5,
        inFlight: 2,
        delayed: 3,
        dlq: 3,
        oldestAgeSeconds: null,
        jobsPerSecond: null,
      },
    ]);
  });

  it('still shows the counts when the rates cannot be read', async () => {
    // Prepare
    const target = fakeTarget(() => ({ status: 200, body: {} }), {
      sqs,
      rates: () => Promise.reject(new Error('CloudWatch down')),
    });

    // Act
    const snap = await snapshot(target);

    // Assess
    expect(snap.queues.map((q) => [q.visible, q.oldestAgeSeconds, q.jobsPerSecond])).toEqual([
      [5, null, null],
      [5, null, null],
    ]);
  });

  it('exits 3 when a queue is gone', async () => {
    // Prepare
    sqsMock
      .on(GetQueueAttributesCommand)
      .rejects(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' }));
    const target = fakeTarget(() => ({ status: 200, body: {} }), { sqs });

    // Act
    const error = await snapshot(target).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.NO_TARGET,
      message: 'Reading the queues: The specified queue does not exist.',
    });
  });
});

describe('watch', () => {
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
  });

  it('with --once prints one table and no screen control codes, even on a terminal', async () => {
    // Prepare
    const { io, stdout } = captureIo({ tty: true });
    const target = fakeTarget(() => ({ status: 200, body: {} }), { sqs, types: JOB_TYPES.slice(0, 1) });

    // Act
    const code = await watch(target, io, { once: true, intervalSeconds: 2, json: false });

    // Assess
    expect(code).toBe(EXIT.OK);
    expect(stdout()).toMatch(/^simulate\s+0\s+0\s+0\s+0\s+-\s+n\/a\n\nrates: made up\n$/m);
    expect(stdout()).not.toContain('\x1b');
  });

  it('with --json writes one snapshot document per refresh until stopped', async () => {
    // Prepare
    const stop = new AbortController();
    const { io, stdout } = captureIo({ signal: stop.signal });
    let reads = 0;
    const target = fakeTarget(() => ({ status: 200, body: {} }), {
      sqs,
      rates: async () => {
        if (++reads === 2) stop.abort();
        return new Map();
      },
    });

    // Act
    const code = await watch(target, io, { once: false, intervalSeconds: 0.01, json: true });

    // Assess
    expect(code).toBe(EXIT.OK);
    const documents = stdout()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as QueueSnapshot);
    expect(documents).toHaveLength(2);
    expect(documents[1]?.queues.map((q) => q.type)).toEqual(['simulate', 'webhook.deliver']);
  });
});
