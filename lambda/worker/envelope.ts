import type { SQSRecord } from 'aws-lambda';
import { ValidationError } from '../shared/errors.js';
import { type JobMessage, MAX_JOB_ID_LENGTH } from '../shared/job.js';

/** SQS's ApproximateReceiveCount: 1 on the first delivery. */
export function attemptOf(record: SQSRecord): number {
  const n = Number(record.attributes.ApproximateReceiveCount);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * True when `value` is a job envelope: the same verdict as `jobMessageSchema`,
 * checked by hand because it runs on every record and zod's generic walk costs
 * more than the rest of the bookkeeping. A unit test holds the two in agreement.
 */
export function isJobMessage(value: unknown): value is JobMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.jobId === 'string' &&
    m.jobId.length > 0 &&
    m.jobId.length <= MAX_JOB_ID_LENGTH &&
    typeof m.type === 'string' &&
    m.type.length > 0 &&
    typeof m.createdAt === 'string' &&
    'payload' in m &&
    optionalString(m.requestHash) &&
    optionalString(m.idempotencyKey) &&
    optionalString(m.callbackUrl)
  );
}

function optionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** The record's job envelope, or the reason it is not one. */
export function parseEnvelope(record: SQSRecord): JobMessage | ValidationError {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    return new ValidationError('The message body is not JSON.');
  }
  return isJobMessage(json)
    ? json
    : new ValidationError('The message body is not a job envelope (jobId, type, payload, createdAt).');
}

/** The job id a record names: its envelope's, else its `jobId` attribute; undefined for a body that is neither. */
export function jobIdOfRecord(record: SQSRecord): string | undefined {
  const message = parseEnvelope(record);
  return message instanceof ValidationError ? record.messageAttributes.jobId?.stringValue : message.jobId;
}
