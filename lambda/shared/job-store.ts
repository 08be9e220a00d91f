import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { JobErrorInfo, JobRecord } from './job.js';

/** A change of a job's status, as the worker and the API make them. */
export type Transition =
  /**
   * `messageId` is the SQS message being processed. A `failed` job runs again
   * only for a message other than the one it failed on: a DLQ redrive, which
   * SQS delivers as a new message, and never a late duplicate of the old one.
   */
  | { readonly to: 'running'; readonly attempt: number; readonly messageId: string }
  | { readonly to: 'retrying'; readonly attempt: number; readonly error: JobErrorInfo }
  | { readonly to: 'succeeded'; readonly attempt: number; readonly result: unknown }
  | { readonly to: 'failed'; readonly attempt: number; readonly error: JobErrorInfo }
  /** Back to `queued` from `failed`: a redrive, or a retried enqueue. Attempts start over, as SQS's receive count does. */
  | { readonly to: 'queued'; readonly from: 'failed' }
  /** Undoes the above when the redrive could not start: the job is `failed` again, as it was. */
  | { readonly to: 'failed'; readonly from: 'queued'; readonly attempt: number; readonly error?: JobErrorInfo };

/** What the worker knows of a job when it moves it, so a record can be created if a producer bypassed the API. */
export interface TransitionContext {
  readonly type: string;
  readonly maxAttempts: number;
  readonly now: Date;
  readonly retentionDays: number;
}

/** Outcome of a conditional create. */
export type CreateOutcome = { readonly created: true } | { readonly created: false; readonly existing: JobRecord };

/** Persistence of job records. Every status change is conditional: a status never goes backwards. */
export interface JobStore {
  /** Creates the record unless its id exists; then returns the existing one. */
  create(record: JobRecord): Promise<CreateOutcome>;
  /** Creates records whose ids are fresh random UUIDs, without a condition. */
  createMany(records: readonly JobRecord[]): Promise<void>;
  get(jobId: string): Promise<JobRecord | undefined>;
  /**
   * Applies a transition if it moves the job forward; returns false (and changes
   * nothing) when the job is already terminal or at a later attempt.
   */
  transition(jobId: string, change: Transition, ctx: TransitionContext): Promise<boolean>;
}

let lastDate: Date | undefined;
let lastTime = Number.NaN;
let lastIso = '';

/**
 * `date.toISOString()`, remembered for the last date seen. A worker stamps two
 * status changes per job, often in the same millisecond with the same Date
 * (see the worker's clock); formatting costs more than the rest of a transition.
 */
export function isoTimestamp(date: Date): string {
  const time = date.getTime();
  if (date !== lastDate || time !== lastTime) {
    lastDate = date;
    lastTime = time;
    lastIso = date.toISOString();
  }
  return lastIso;
}

/** Seconds since the epoch when a job finished at `now` may be deleted. */
export function expiryEpochSeconds(now: Date, retentionDays: number): number {
  return Math.floor(now.getTime() / 1000) + retentionDays * 86_400;
}

const BATCH_WRITE_LIMIT = 25;
const BATCH_WRITE_ROUNDS = 8;

/** {@link JobStore} on a DynamoDB table keyed by `jobId`. */
export class DynamoJobStore implements JobStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(record: JobRecord): Promise<CreateOutcome> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: 'attribute_not_exists(jobId)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // The document client leaves this item in DynamoDB's wire form; some emulators omit it, so read it instead.
      const existing = error.Item ? (unmarshall(error.Item) as JobRecord) : await this.get(record.jobId);
      if (!existing) throw error;
      return { created: false, existing };
    }
  }

  async createMany(records: readonly JobRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += BATCH_WRITE_LIMIT) {
      let pending = records.slice(i, i + BATCH_WRITE_LIMIT).map((Item) => ({ PutRequest: { Item } }));
      for (let round = 0; pending.length > 0; round++) {
        if (round === BATCH_WRITE_ROUNDS) throw new Error(`DynamoDB left ${pending.length} job records unprocessed`);
        if (round > 0) await new Promise((r) => setTimeout(r, 2 ** round * 25));
        const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }));
        pending = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof pending;
      }
    }
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: true }),
    );
    return out.Item as JobRecord | undefined;
  }

  async transition(jobId: string, change: Transition, ctx: TransitionContext): Promise<boolean> {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, unknown> = { ':to': change.to, ':now': isoTimestamp(ctx.now) };
    const sets = ['#status = :to', '#updatedAt = :now'];
    const removes: string[] = [];
    let condition: string;

    if ('from' in change && change.to === 'failed') {
      names['#attempts'] = 'attempts';
      names['#expiresAt'] = 'expiresAt';
      values[':from'] = change.from;
      values[':attempt'] = change.attempt;
      values[':expiresAt'] = expiryEpochSeconds(ctx.now, ctx.retentionDays);
      sets.push('#attempts = :attempt', '#expiresAt = :expiresAt');
      if (change.error) {
        names['#error'] = 'error';
        values[':error'] = change.error;
        sets.push('#error = :error');
      }
      condition = '#status = :from';
    } else if (change.to === 'queued') {
      names['#attempts'] = 'attempts';
      names['#error'] = 'error';
      names['#expiresAt'] = 'expiresAt';
      values[':from'] = change.from;
      values[':zero'] = 0;
      sets.push('#attempts = :zero');
      removes.push('#error', '#expiresAt');
      condition = '#status = :from';
    } else {
      // A producer may have sent straight to the queue: create the record on first sight.
      names['#type'] = 'type';
      names['#createdAt'] = 'createdAt';
      names['#maxAttempts'] = 'maxAttempts';
      names['#attempts'] = 'attempts';
      values[':type'] = ctx.type;
      values[':maxAttempts'] = ctx.maxAttempts;
      values[':attempt'] = change.attempt;
      values[':succeeded'] = 'succeeded';
      values[':failed'] = 'failed';
      sets.push(
        '#type = if_not_exists(#type, :type)',
        '#createdAt = if_not_exists(#createdAt, :now)',
        '#maxAttempts = if_not_exists(#maxAttempts, :maxAttempts)',
        '#attempts = :attempt',
      );
      const notTerminal = 'NOT #status IN (:succeeded, :failed)';
      condition = `attribute_not_exists(jobId) OR (${notTerminal} AND (attribute_not_exists(#attempts) OR #attempts <= :attempt))`;
      if (change.to === 'running' || change.to === 'retrying') {
        names['#error'] = 'error';
        names['#expiresAt'] = 'expiresAt';
        // A redriven job is live again: the TTL of its failure must not delete it mid-run.
        removes.push('#expiresAt');
        if (change.to === 'retrying') {
          values[':error'] = change.error;
          sets.push('#error = :error');
        } else {
          removes.push('#error');
          names['#lastMessageId'] = 'lastMessageId';
          values[':messageId'] = change.messageId;
          sets.push('#lastMessageId = :messageId');
          condition +=
            ' OR (#status = :failed AND (attribute_not_exists(#lastMessageId) OR #lastMessageId <> :messageId))';
        }
      } else {
        names['#expiresAt'] = 'expiresAt';
        values[':expiresAt'] = expiryEpochSeconds(ctx.now, ctx.retentionDays);
        sets.push('#expiresAt = :expiresAt');
        if (change.to === 'succeeded') {
          names['#result'] = 'result';
          names['#error'] = 'error';
          values[':result'] = change.result ?? null;
          sets.push('#result = :result');
          removes.push('#error');
        } else {
          names['#error'] = 'error';
          values[':error'] = change.error;
          sets.push('#error = :error');
        }
      }
    }

    const update = `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression: update,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
