/**
 * The claim check: a job payload too large for one SQS message, or a result
 * too large for a DynamoDB item, is stored in the stack's bucket, and the
 * message or the job record carries a reference in its place. The API stores
 * payloads before it sends their messages, the worker reads them back before it
 * validates them, and handlers never see the difference. Objects expire with the
 * job's retention (the bucket's lifecycle rules, `lib/job-bucket.ts`).
 */
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { NonRetryableError, RetryableError } from './errors.js';
import type { JobMessage } from './job.js';
import { s3FailureKind } from './s3-errors.js';
import { type JobStorage, payloadKey, resultKey } from './storage.js';

/** Where a value too large for its message or record is, and its size as JSON. */
export interface ClaimCheckRef {
  readonly key: string;
  readonly bytes: number;
}

/** The one property of the object that stands in for a stored value. */
export const CLAIM_CHECK_FIELD = '$claimCheck';

/** What a message's `payload`, or a record's `result`, holds in place of a stored value. */
export type ClaimCheckMarker = { readonly [CLAIM_CHECK_FIELD]: ClaimCheckRef };

/**
 * Largest message body sent as is: SQS takes 1 MiB (1,048,576 bytes) with the
 * message attributes, and a dead letter carries the body with up to about
 * 2 KiB of reason attributes; 16 KiB stays clear of both.
 */
export const MAX_INLINE_MESSAGE_BYTES = 1_048_576 - 16_384;

/**
 * Largest result, as JSON, kept in the job's item: DynamoDB stores 400 KB per
 * item, attribute names, the other attributes and its own per-element overhead
 * included; 300 KiB leaves a quarter of that for them.
 */
export const MAX_INLINE_RESULT_BYTES = 300 * 1024;

/** How a claim check decides; the defaults are the services' limits. */
export interface ClaimCheckOptions {
  /** @default MAX_INLINE_MESSAGE_BYTES */
  readonly maxInlineMessageBytes?: number;
  /** @default MAX_INLINE_RESULT_BYTES */
  readonly maxInlineResultBytes?: number;
}

/** The marker for a value stored at `key`. */
export function claimCheckMarker(key: string, bytes: number): ClaimCheckMarker {
  return { [CLAIM_CHECK_FIELD]: { key, bytes } };
}

/**
 * The reference `value` holds when it is a claim-check marker for exactly
 * `expectedKey` (this job's payload or result key); `undefined` for anything
 * else. Tying the marker to the job's own key means a payload or result that
 * happens to look like one can never make a function read another object.
 */
export function claimCheckRefOf(value: unknown, expectedKey: string): ClaimCheckRef | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.keys(value);
  if (entries.length !== 1 || entries[0] !== CLAIM_CHECK_FIELD) return undefined;
  const ref = (value as Record<string, unknown>)[CLAIM_CHECK_FIELD] as Partial<ClaimCheckRef> | null;
  if (typeof ref !== 'object' || ref === null || ref.key !== expectedKey || typeof ref.bytes !== 'number') {
    return undefined;
  }
  return { key: ref.key, bytes: ref.bytes };
}

/** A message to send: its id (unique in the call) and its body. */
interface OutgoingBody {
  readonly id: string;
  readonly body: string;
}

/** Stores and reads back what does not fit, in the bucket of `storage`. */
export class ClaimCheck {
  readonly maxInlineMessageBytes: number;
  readonly maxInlineResultBytes: number;

  constructor(
    private readonly storage: JobStorage,
    options: ClaimCheckOptions = {},
  ) {
    this.maxInlineMessageBytes = options.maxInlineMessageBytes ?? MAX_INLINE_MESSAGE_BYTES;
    this.maxInlineResultBytes = options.maxInlineResultBytes ?? MAX_INLINE_RESULT_BYTES;
  }

  /**
   * The messages to send: each whose body is over the inline limit gets its
   * payload stored under `payloads/<jobId>` and a body that carries the marker
   * instead. Ids whose payload could not be stored are in `failed`, left out of
   * `ready`; the caller treats them as messages SQS did not take.
   */
  async checkBodies<M extends OutgoingBody>(messages: readonly M[]): Promise<{ ready: M[]; failed: Set<string> }> {
    const failed = new Set<string>();
    // In the callers' order, each message as is or with its reference body; undefined where storing failed.
    const checked: (M | undefined)[] = await Promise.all(
      messages.map(async (message): Promise<M | undefined> => {
        if (Buffer.byteLength(message.body) <= this.maxInlineMessageBytes) return message;
        try {
          return { ...message, body: await this.storePayload(JSON.parse(message.body) as JobMessage) };
        } catch {
          failed.add(message.id);
          return undefined;
        }
      }),
    );
    return { ready: checked.filter((m): m is M => m !== undefined), failed };
  }

  /** True when the message's payload is stored in the bucket, to be read with {@link payloadOf}. */
  isStoredPayload(message: JobMessage): boolean {
    return claimCheckRefOf(message.payload, payloadKey(message.jobId)) !== undefined;
  }

  /**
   * The message's payload: as carried, or read back from the bucket. Throws a
   * {@link RetryableError} when S3 did not answer, and a
   * {@link NonRetryableError} when the object is gone (expired or deleted).
   */
  async payloadOf(message: JobMessage, signal?: AbortSignal): Promise<unknown> {
    const ref = claimCheckRefOf(message.payload, payloadKey(message.jobId));
    return ref ? this.read(ref, 'payload', signal) : message.payload;
  }

  /**
   * What to record as the job's result: the result itself when it fits in the
   * job's item, else a marker, the result being stored under `results/<jobId>`.
   * Throws when it cannot be stored; the worker then keeps the message.
   */
  async storedResult(jobId: string, result: unknown, signal?: AbortSignal): Promise<unknown> {
    if (result === undefined) return result;
    const text = JSON.stringify(result);
    const bytes = Buffer.byteLength(text);
    if (bytes <= this.maxInlineResultBytes) return result;
    const key = resultKey(jobId);
    await this.write(key, text, signal);
    return claimCheckMarker(key, bytes);
  }

  /** The reference a recorded result holds, if it was stored; then read it with {@link readResult}. */
  resultRefOf(jobId: string, result: unknown): ClaimCheckRef | undefined {
    return claimCheckRefOf(result, resultKey(jobId));
  }

  /** A stored result, read back. */
  readResult(ref: ClaimCheckRef, signal?: AbortSignal): Promise<unknown> {
    return this.read(ref, 'result', signal);
  }

  private async storePayload(message: JobMessage): Promise<string> {
    const text = JSON.stringify(message.payload);
    const key = payloadKey(message.jobId);
    await this.write(key, text);
    const reference: JobMessage = { ...message, payload: claimCheckMarker(key, Buffer.byteLength(text)) };
    return JSON.stringify(reference);
  }

  private async write(key: string, text: string, signal?: AbortSignal): Promise<void> {
    await this.storage.s3.send(
      new PutObjectCommand({
        Bucket: this.storage.bucket,
        Key: key,
        Body: text,
        ContentType: 'application/json',
      }),
      signal ? { abortSignal: signal } : {},
    );
  }

  private async read(ref: ClaimCheckRef, what: 'payload' | 'result', signal?: AbortSignal): Promise<unknown> {
    let text: string | undefined;
    try {
      const out = await this.storage.s3.send(
        new GetObjectCommand({ Bucket: this.storage.bucket, Key: ref.key }),
        signal ? { abortSignal: signal } : {},
      );
      text = await out.Body?.transformToString('utf-8');
    } catch (error) {
      const kind = s3FailureKind(error, 'read');
      if (kind === 'retryable')
        throw new RetryableError(`S3 did not return the job's ${what}; retrying.`, { cause: error });
      const why = kind === 'missing' ? 'it expired with the job or was deleted' : 'S3 refused to read it';
      throw new NonRetryableError(`The job's ${what} is no longer stored at ${ref.key}: ${why}.`, { cause: error });
    }
    try {
      return JSON.parse(text ?? '');
    } catch (error) {
      throw new NonRetryableError(`The job's ${what} stored at ${ref.key} is not JSON.`, { cause: error });
    }
  }
}
