import type { SQSMessageAttribute, SQSRecord } from 'aws-lambda';
import type { InvokeResult } from '../functions/invoke-result.js';
import type { ReceivedMessage, WireAttributeValue } from './poller-sqs.js';

/** A message attribute in Lambda's event shape: camelCase, binary as base64, list fields always present. */
export function toLambdaAttribute(value: WireAttributeValue): SQSMessageAttribute {
  const b64 = (b: Uint8Array | string) => (typeof b === 'string' ? b : Buffer.from(b).toString('base64'));
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: b64(value.BinaryValue) } : {}),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(b64),
    dataType: value.DataType ?? 'String',
  };
}

/** One received message as a record of Lambda's SQS event. */
export function toSqsRecord(message: ReceivedMessage, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const messageAttributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, v]) => [name, toLambdaAttribute(v)]),
  );
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? '',
      SenderId: attributes.SenderId ?? '',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
      ...Object.fromEntries(
        (
          [
            'SequenceNumber',
            'MessageGroupId',
            'MessageDeduplicationId',
            'AWSTraceHeader',
            'DeadLetterQueueSourceArn',
          ] as const
        )
          .filter((k) => attributes[k] !== undefined)
          .map((k) => [k, attributes[k]]),
      ),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/**
 * Which records to delete after an invocation, as Lambda decides: none after an
 * error or timeout; with ReportBatchItemFailures all but the listed ones, unless
 * the response is malformed or names a record not in the batch, which fails the
 * whole batch; without it, all of them.
 */
export function recordsToDelete(
  records: readonly SQSRecord[],
  result: InvokeResult,
  reportBatchItemFailures: boolean,
): { readonly delete: SQSRecord[]; readonly problem?: string } {
  if (!result.ok) return { delete: [] };
  if (!reportBatchItemFailures) return { delete: [...records] };
  const payload = result.payload;
  if (payload === null || payload === undefined) return { delete: [...records] };
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    return { delete: [], problem: 'the response is not a batch response object; the whole batch is retried' };
  }
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { delete: [...records] };
  if (!Array.isArray(failures)) {
    return { delete: [], problem: 'batchItemFailures is not a list; the whole batch is retried' };
  }
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) {
      return {
        delete: [],
        problem: `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch; the whole batch is retried`,
      };
    }
    failed.add(id);
  }
  return { delete: records.filter((r) => !failed.has(r.messageId)) };
}
