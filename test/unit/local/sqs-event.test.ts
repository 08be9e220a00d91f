import type { SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { InvokeResult } from '../../../local/core/functions/invoke-result.js';
import { recordsToDelete, toSqsRecord } from '../../../local/core/sqs/sqs-event.js';

const records = ['a', 'b', 'c'].map(
  (id) =>
    toSqsRecord(
      { MessageId: id, ReceiptHandle: `rh-${id}`, Body: id, Attributes: { ApproximateReceiveCount: '1' } },
      'arn:aws:sqs:us-east-1:000000000000:q',
      'us-east-1',
    ) as SQSRecord,
);
const ok = (payload: unknown): InvokeResult => ({ ok: true, payload, durationMs: 1 });
const ids = (deleted: { delete: SQSRecord[] }) => deleted.delete.map((r) => r.messageId);

describe('which records a batch deletes, as Lambda decides', () => {
  it('deletes none after an error or a timeout', () => {
    // Act
    const decision = recordsToDelete(
      records,
      { ok: false, errorType: 'Sandbox.Timedout', errorMessage: 'timed out', timedOut: true, durationMs: 1 },
      true,
    );
    // Assess
    expect(ids(decision)).toEqual([]);
  });

  it('deletes all without ReportBatchItemFailures, whatever the response', () => {
    // Act, Assess
    expect(ids(recordsToDelete(records, ok({ batchItemFailures: [{ itemIdentifier: 'a' }] }), false))).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('deletes all but the listed records with ReportBatchItemFailures', () => {
    // Act, Assess
    expect(ids(recordsToDelete(records, ok({ batchItemFailures: [{ itemIdentifier: 'b' }] }), true))).toEqual([
      'a',
      'c',
    ]);
    expect(ids(recordsToDelete(records, ok(null), true))).toEqual(['a', 'b', 'c']);
    expect(ids(recordsToDelete(records, ok({ batchItemFailures: [] }), true))).toEqual(['a', 'b', 'c']);
  });

  it.each([
    { payload: 'done', problem: /not a batch response object/ },
    { payload: { batchItemFailures: 'b' }, problem: /batchItemFailures is not a list/ },
    { payload: { batchItemFailures: [{ itemIdentifier: 'z' }] }, problem: /names "z", which is not in the batch/ },
  ])('retries the whole batch for a malformed response: $payload', ({ payload, problem }) => {
    // Act
    const decision = recordsToDelete(records, ok(payload), true);
    // Assess
    expect(ids(decision)).toEqual([]);
    expect(decision.problem).toMatch(problem);
  });
});
