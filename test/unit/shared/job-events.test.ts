import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadJobEventsConfig } from '../../../lambda/shared/config.js';
import {
  DEFAULT_MAX_EVENT_BYTES,
  entrySize,
  JOB_EVENT_SOURCE,
  jobEventEntry,
  jobEventPublisher,
} from '../../../lambda/shared/job-events.js';
import type { FinishedJob } from '../../../lambda/shared/job-finished.js';
import { RecordingLogger } from '../worker/fixtures.js';

const events = mockClient(EventBridgeClient);
beforeEach(() => events.reset());
afterEach(() => events.reset());

const succeeded: FinishedJob = {
  jobId: 'j1',
  type: 'simulate',
  status: 'succeeded',
  attempts: 2,
  result: { attempt: 2 },
  finishedAt: '2026-11-24T00:00:01.000Z',
};
const failed: FinishedJob = {
  jobId: 'j2',
  type: 'webhook.deliver',
  status: 'failed',
  attempts: 8,
  error: { code: 'RETRYABLE', message: 'origin answered 503' },
  finishedAt: '2026-11-24T00:00:02.000Z',
};

function publisher(maxEventBytes?: number) {
  const logger = new RecordingLogger();
  const counted: FinishedJob[] = [];
  const listen = jobEventPublisher({
    events: new EventBridgeClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }),
    busName: 'qw-bus',
    ...(maxEventBytes !== undefined ? { maxEventBytes } : {}),
    logger,
    countFailure: (job) => void counted.push(job),
  });
  return { listen, logger, counted };
}

describe('job event entries', () => {
  it('announces a succeeded job as Job Succeeded from queue-workers on the bus, with its result', () => {
    const entry = jobEventEntry(succeeded, 'qw-bus', DEFAULT_MAX_EVENT_BYTES);

    expect(entry).toMatchObject({ EventBusName: 'qw-bus', Source: JOB_EVENT_SOURCE, DetailType: 'Job Succeeded' });
    expect(entry.Time?.toISOString()).toBe(succeeded.finishedAt);
    expect(JSON.parse(entry.Detail ?? '')).toEqual({
      jobId: 'j1',
      type: 'simulate',
      status: 'succeeded',
      attempts: 2,
      result: { attempt: 2 },
      finishedAt: succeeded.finishedAt,
    });
  });

  it('announces a failed job as Job Failed with its error and no result', () => {
    const entry = jobEventEntry(failed, 'qw-bus', DEFAULT_MAX_EVENT_BYTES);

    expect(entry.DetailType).toBe('Job Failed');
    expect(JSON.parse(entry.Detail ?? '')).toEqual({
      jobId: 'j2',
      type: 'webhook.deliver',
      status: 'failed',
      attempts: 8,
      error: { code: 'RETRYABLE', message: 'origin answered 503' },
      finishedAt: failed.finishedAt,
    });
  });

  it('leaves out a result that would take the event over the limit, and says so with the sizes', () => {
    const big = { ...succeeded, result: { blob: 'x'.repeat(70_000) } };

    const entry = jobEventEntry(big, 'qw-bus', DEFAULT_MAX_EVENT_BYTES);

    const detail = JSON.parse(entry.Detail ?? '');
    expect(detail).not.toHaveProperty('result');
    expect(detail.resultOmitted).toEqual({
      reason: 'too-large',
      eventBytes: expect.any(Number),
      maxEventBytes: DEFAULT_MAX_EVENT_BYTES,
    });
    expect(detail.resultOmitted.eventBytes).toBeGreaterThan(70_000);
    expect(entrySize(entry)).toBeLessThan(1_000);
  });

  it('keeps a result that fits exactly at the limit', () => {
    const whole = jobEventEntry(succeeded, 'qw-bus', DEFAULT_MAX_EVENT_BYTES);

    const entry = jobEventEntry(succeeded, 'qw-bus', entrySize(whole));

    expect(JSON.parse(entry.Detail ?? '').result).toEqual({ attempt: 2 });
  });

  it('sizes an entry as EventBridge documents: 14 bytes of time plus the UTF-8 bytes of source, detail-type, detail and resources', () => {
    const size = entrySize({
      Time: new Date(),
      Source: 'src',
      DetailType: 'dt',
      Detail: '{"a":"é"}',
      Resources: ['arn:x'],
    });

    expect(size).toBe(14 + 3 + 2 + 10 + 5);
  });
});

describe('the job event publisher', () => {
  it('puts one entry per finished job', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const { listen, counted } = publisher();

    await listen(succeeded);

    const calls = events.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.Entries).toEqual([expect.objectContaining({ DetailType: 'Job Succeeded' })]);
    expect(counted).toEqual([]);
  });

  it('logs and counts a PutEvents call that fails, and does not throw', async () => {
    events.on(PutEventsCommand).rejects(new Error('AccessDeniedException'));
    const { listen, logger, counted } = publisher();

    await expect(listen(failed)).resolves.toBeUndefined();

    expect(counted.map((j) => j.jobId)).toEqual(['j2']);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'could not publish the job event; the job is unaffected',
        extra: expect.objectContaining({ jobId: 'j2', detailType: 'Job Failed', busName: 'qw-bus' }),
      }),
    );
  });

  it('logs and counts an entry EventBridge refused inside a successful call', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
    });
    const { listen, logger, counted } = publisher();

    await listen(succeeded);

    expect(counted).toHaveLength(1);
    expect(logger.lines[0]?.extra?.error).toEqual({ code: 'ThrottlingException', message: 'Rate exceeded' });
  });

  it('sends the event without its result when the configured limit is smaller', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    const { listen } = publisher(200);

    await listen({ ...succeeded, result: 'y'.repeat(300) });

    const detail = JSON.parse(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.Detail ?? '');
    expect(detail.resultOmitted).toMatchObject({ reason: 'too-large', maxEventBytes: 200 });
  });
});

describe('job events configuration', () => {
  it('names the missing bus variable', () => {
    expect(() => loadJobEventsConfig({})).toThrow(/Job events configuration: missing JOB_EVENT_BUS_NAME/);
  });

  it('reads the bus and an optional size limit', () => {
    expect(loadJobEventsConfig({ JOB_EVENT_BUS_NAME: 'b', JOB_EVENT_MAX_BYTES: '1000' })).toEqual({
      busName: 'b',
      maxEventBytes: 1000,
    });
    expect(() => loadJobEventsConfig({ JOB_EVENT_BUS_NAME: 'b', JOB_EVENT_MAX_BYTES: 'lots' })).toThrow(
      /invalid JOB_EVENT_MAX_BYTES="lots"/,
    );
  });
});
