import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JobStatus } from '../../../lambda/shared/job.js';
import { processBatch } from '../../../lambda/worker/process.js';
import { jobRecord, lambdaContext, sqsEvent, sqsRecord } from '../../helpers/events.js';
import { failedIds, queued, workerDeps } from './fixtures.js';

const sqs = mockClient(SQSClient);

const KINDS = ['ok', 'retry', 'throw-plain', 'fatal', 'bad-schema', 'not-json', 'dup-succeeded', 'dup-failed'] as const;
type Kind = (typeof KINDS)[number];

const recordSpec = fc.record({
  kind: fc.constantFrom(...KINDS),
  receiveCount: fc.integer({ min: 1, max: 4 }),
  group: fc.constantFrom('a', 'b', 'c'),
});

const scenario = fc.record({
  records: fc.array(recordSpec, { minLength: 1, maxLength: 30 }),
  fifo: fc.boolean(),
  dlqFails: fc.boolean(),
  concurrency: fc.integer({ min: 1, max: 8 }),
});

const MAX_ATTEMPTS = 3;
const sendsToDlq = (k: Kind) => k === 'fatal' || k === 'bad-schema' || k === 'not-json';
const runs = (k: Kind) => k === 'ok' || k === 'retry' || k === 'throw-plain' || k === 'fatal';

describe('exact accounting', () => {
  it('reports exactly the records that failed or did not run, over random mixes of outcomes', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ records: specs, fifo, dlqFails, concurrency }) => {
        // Prepare
        sqs.reset();
        sqs.on(ChangeMessageVisibilityBatchCommand).resolves({});
        if (dlqFails) sqs.on(SendMessageCommand).rejects(new Error('DLQ unavailable'));
        else sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
        const deps = workerDeps({ fifo, concurrencyPerBatch: concurrency, maxAttempts: MAX_ATTEMPTS });
        const records: SQSRecord[] = specs.map((s, i) => {
          const jobId = `job-${i}`;
          const overrides = {
            receiveCount: s.receiveCount,
            attributes: {
              ...sqsRecord('x').attributes,
              ApproximateReceiveCount: String(s.receiveCount),
              MessageGroupId: s.group,
            },
          };
          if (s.kind === 'not-json') return sqsRecord('{not json', overrides);
          const payload = s.kind === 'bad-schema' ? { do: 'nope' } : { do: s.kind.startsWith('dup') ? 'ok' : s.kind };
          const record = jobRecord(jobId, 'test.job', payload, overrides);
          if (s.kind === 'dup-succeeded' || s.kind === 'dup-failed') {
            // A duplicate: the job already finished from this very message.
            queued(deps.store, jobId, s.kind === 'dup-succeeded' ? 'succeeded' : 'failed', 1, record.messageId);
          } else {
            queued(deps.store, jobId);
          }
          return record;
        });

        // The model: which records fail, which run, and the status each ends in.
        const expectedFailed = new Set<string>();
        const expectedRun = new Set<string>();
        const expectedStatus = new Map<string, JobStatus>();
        const blocked = new Set<string>();
        specs.forEach((s, i) => {
          const id = records[i]?.messageId as string;
          const jobId = `job-${i}`;
          const before: JobStatus =
            s.kind === 'dup-succeeded' ? 'succeeded' : s.kind === 'dup-failed' ? 'failed' : 'queued';
          if (fifo && blocked.has(s.group)) {
            // Unstarted: it comes back, its status as it was (on its last receive, it comes back once more).
            expectedFailed.add(id);
            if (s.kind !== 'not-json') expectedStatus.set(jobId, before);
            return;
          }
          const last = s.receiveCount >= MAX_ATTEMPTS;
          // A receive beyond the job's attempts: its last attempt ended without an outcome, so it is dead-lettered unrun.
          const over = s.receiveCount > MAX_ATTEMPTS && s.kind !== 'not-json';
          let failed = false;
          if (over) {
            if (s.kind === 'dup-succeeded') expectedStatus.set(jobId, 'succeeded');
            else {
              failed = dlqFails;
              expectedStatus.set(jobId, dlqFails ? before : 'failed');
            }
          } else {
            if (runs(s.kind)) expectedRun.add(jobId);
            // Dead-lettered: not retryable, or out of attempts. If the DLQ refuses it, the record is kept:
            // `retrying` while attempts are left, else as it was (`running`) until it comes back once more.
            const deadLettered = sendsToDlq(s.kind) || ((s.kind === 'retry' || s.kind === 'throw-plain') && last);
            if (s.kind === 'ok') expectedStatus.set(jobId, 'succeeded');
            else if (deadLettered) {
              failed = dlqFails;
              if (s.kind !== 'not-json')
                expectedStatus.set(jobId, !dlqFails ? 'failed' : last ? 'running' : 'retrying');
            } else if (s.kind === 'retry' || s.kind === 'throw-plain') {
              failed = true;
              expectedStatus.set(jobId, 'retrying');
            } else expectedStatus.set(jobId, before);
          }
          if (failed) {
            expectedFailed.add(id);
            blocked.add(s.group);
          }
        });

        // Act
        const response = await processBatch(sqsEvent(records), deps, lambdaContext());

        // Assess
        expect(failedIds(response)).toEqual([...expectedFailed].sort());
        expect(new Set(deps.calls.map((c) => c.ctx.jobId))).toEqual(expectedRun);
        expect(deps.calls).toHaveLength(expectedRun.size);
        for (const [jobId, status] of expectedStatus)
          expect([jobId, deps.store.records.get(jobId)?.status]).toEqual([jobId, status]);
        // Every failed record is given a visibility; no acknowledged one is.
        const changed = new Set(
          sqs
            .commandCalls(ChangeMessageVisibilityBatchCommand)
            .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.ReceiptHandle)),
        );
        expect(changed).toEqual(
          new Set(records.filter((r) => expectedFailed.has(r.messageId)).map((r) => r.receiptHandle)),
        );
        // Counts in the metrics add up to the batch.
        const m = deps.metrics;
        expect(
          m.sum('succeeded') + m.sum('retried') + m.sum('failed') + m.sum('duplicates') + m.sum('notStarted'),
        ).toBe(records.length);
      }),
      { numRuns: 150 },
    );
  });
});
