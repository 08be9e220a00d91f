import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type JobProgress, type JobRecord, LEASE_INDEX, LEASE_SHARDS } from './job.js';
import {
  type Guard,
  originAttributes,
  ruleFor,
  type Transition,
  type TransitionContext,
  type TransitionRule,
  type WriteStamp,
} from './transitions.js';

export type { Transition, TransitionContext } from './transitions.js';

/** Outcome of a conditional create. */
export type CreateOutcome = { readonly created: true } | { readonly created: false; readonly existing: JobRecord };

/** Persistence of job records. Every status change is conditional: a status never goes backwards. */
export interface JobStore {
  /** Creates the record unless its id exists; then returns the existing one. */
  create(record: JobRecord): Promise<CreateOutcome>;
  /** Reads a job; strongly consistent unless `consistent` is false (half the read cost, maybe a second stale). */
  get(jobId: string, options?: ReadOptions): Promise<JobRecord | undefined>;
  /**
   * Stores what a running attempt reports of its progress. Returns whether
   * someone asked the job to stop, or undefined when the job is no longer
   * running this attempt (nothing is written then).
   */
  reportProgress(jobId: string, attempt: number, progress: JobProgress): Promise<ProgressReceipt | undefined>;
  /**
   * Applies a transition of {@link TRANSITIONS} if its guard allows it; returns
   * false (and changes nothing) when the job is already terminal, at a later
   * attempt, or not in the status the change starts from.
   */
  transition(jobId: string, change: Transition, context: TransitionContext): Promise<boolean>;
  /** The running jobs whose lease ended before `epochSeconds`, from the sparse lease index. */
  expiredLeases(epochSeconds: number): AsyncIterable<LeasedJob>;
}

/** How a job is read. */
export interface ReadOptions {
  /** @default true */
  readonly consistent?: boolean;
}

/** What a progress report learns back. */
export interface ProgressReceipt {
  readonly cancelRequested: boolean;
}

/** A running job as the lease index holds it. */
export type LeasedJob = Pick<JobRecord, 'jobId' | 'type' | 'status' | 'attempts' | 'maxAttempts'> & {
  readonly leaseExpiresAt: number;
};

/** How a store is built: its table, and how long finished jobs stay readable. */
export interface JobStoreOptions {
  /** Days a finished job stays readable before DynamoDB's TTL removes it. */
  readonly retentionDays: number;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** Seconds since the epoch when a job finished at `now` may be deleted. */
export function expiryEpochSeconds(now: Date, retentionDays: number): number {
  return Math.floor(now.getTime() / 1000) + retentionDays * 86_400;
}

/**
 * The time of a write and the expiry it gives a finished job, from a store's
 * clock and retention. A worker writes two statuses per job, thousands in the
 * same millisecond, so each store keeps the stamp of the last millisecond.
 */
export function stampClock(options: JobStoreOptions): () => WriteStamp {
  let last: { time: number; stamp: WriteStamp } | undefined;
  return () => {
    const time = options.now ? options.now().getTime() : Date.now();
    if (last?.time !== time) {
      const now = new Date(time);
      last = {
        time,
        stamp: {
          now: now.toISOString(),
          epochSeconds: Math.floor(time / 1000),
          expiresAt: expiryEpochSeconds(now, options.retentionDays),
        },
      };
    }
    return last.stamp;
  };
}

/** A transition as one DynamoDB UpdateItem: its update and condition expressions, names and values. */
export interface ConditionalUpdate {
  readonly UpdateExpression: string;
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/** Not finished, and not at a later attempt than the change's: the statuses in TERMINAL_STATUSES, spelt out. */
const FORWARD =
  'attribute_not_exists(jobId) OR (NOT #status IN (:succeeded, :failed, :cancelled) AND (attribute_not_exists(#attempts) OR #attempts <= :attempt))';

const GUARD_EXPRESSIONS: Readonly<Record<Guard, string>> = {
  from: '#status = :from',
  'lease-expired': '#status = :running AND #attempts = :attempt AND #leaseExpiresAt < :nowSeconds',
  forward: FORWARD,
  'forward-or-redriven': `${FORWARD} OR (#status = :failed AND (attribute_not_exists(#lastMessageId) OR #lastMessageId <> :messageId))`,
  waiting: '#status IN (:queued, :retrying)',
  running: '#status = :running',
  'running-attempt': '#status = :running AND #attempts = :attempt',
};

/** The values each guard's expression refers to. */
function guardValues(guard: Guard, change: Transition, stamp: WriteStamp): Record<string, unknown> {
  const attempt = 'attempt' in change ? change.attempt : 0;
  switch (guard) {
    case 'from':
      return { ':from': 'from' in change ? change.from : undefined };
    case 'lease-expired':
      return { ':running': 'running', ':attempt': attempt, ':nowSeconds': stamp.epochSeconds };
    case 'waiting':
      return { ':queued': 'queued', ':retrying': 'retrying' };
    case 'running':
      return { ':running': 'running' };
    case 'running-attempt':
      return { ':running': 'running', ':attempt': attempt };
  }
  const values: Record<string, unknown> = {
    ':succeeded': 'succeeded',
    ':failed': 'failed',
    ':cancelled': 'cancelled',
    ':attempt': attempt,
  };
  if (guard === 'forward-or-redriven' && 'messageId' in change) values[':messageId'] = change.messageId;
  return values;
}

/** Turns a row of the transition table into one conditional update. */
export function toConditionalUpdate<C extends Transition>(
  jobId: string,
  rule: TransitionRule<C>,
  change: C,
  context: TransitionContext,
  stamp: WriteStamp,
): ConditionalUpdate {
  const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
  const values: Record<string, unknown> = { ':to': rule.status, ':now': stamp.now };
  const sets = ['#status = :to', '#updatedAt = :now'];
  const origin = rule.createsRecord ? context.origin : undefined;
  if (rule.createsRecord) {
    // Set only where the record lacks them: the record the API wrote, or an earlier write, keeps its own.
    const created: Record<string, unknown> = {
      type: context.type,
      createdAt: origin?.createdAt ?? stamp.now,
      maxAttempts: context.maxAttempts,
      ...(origin ? originAttributes(origin) : {}),
    };
    for (const [attribute, value] of Object.entries(created)) {
      names[`#${attribute}`] = attribute;
      values[`:new_${attribute}`] = value;
      sets.push(`#${attribute} = if_not_exists(#${attribute}, :new_${attribute})`);
    }
  }
  for (const [attribute, value] of Object.entries(rule.sets(change, stamp, jobId))) {
    names[`#${attribute}`] = attribute;
    values[`:set_${attribute}`] = value;
    sets.push(`#${attribute} = :set_${attribute}`);
  }
  for (const attribute of rule.removes) names[`#${attribute}`] = attribute;
  let condition = GUARD_EXPRESSIONS[rule.requires];
  if (origin) {
    // The same refusal as `sameRequest`: a write for one request never moves the record of another.
    condition = `(${condition}) AND (attribute_not_exists(#requestHash) OR #requestHash = :new_requestHash)`;
  }
  for (const name of condition.match(/#\w+/g) ?? []) names[name] = name.slice(1);
  const removes = rule.removes.map((a) => `#${a}`);
  return {
    UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: { ...values, ...guardValues(rule.requires, change, stamp) },
  };
}

/** {@link JobStore} on a DynamoDB table keyed by `jobId`. */
export class DynamoJobStore implements JobStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly stamp: () => WriteStamp;

  constructor(options: JobStoreOptions & { readonly doc: DynamoDBDocumentClient; readonly tableName: string }) {
    this.doc = options.doc;
    this.tableName = options.tableName;
    this.stamp = stampClock(options);
  }

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

  async get(jobId: string, options: ReadOptions = {}): Promise<JobRecord | undefined> {
    const out = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: options.consistent ?? true }),
    );
    return out.Item as JobRecord | undefined;
  }

  async reportProgress(jobId: string, attempt: number, progress: JobProgress): Promise<ProgressReceipt | undefined> {
    try {
      const out = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { jobId },
          UpdateExpression: 'SET #progress = :progress, #updatedAt = :now',
          ConditionExpression: '#status = :running AND #attempts = :attempt',
          ExpressionAttributeNames: {
            '#progress': 'progress',
            '#updatedAt': 'updatedAt',
            '#status': 'status',
            '#attempts': 'attempts',
          },
          ExpressionAttributeValues: {
            ':progress': progress,
            ':now': this.stamp().now,
            ':running': 'running',
            ':attempt': attempt,
          },
          // The same write tells the attempt whether it was asked to stop: no read of its own.
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { cancelRequested: (out.Attributes as JobRecord | undefined)?.cancelRequested === true };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  async *expiredLeases(epochSeconds: number): AsyncIterable<LeasedJob> {
    for (let shard = 0; shard < LEASE_SHARDS; shard++) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: LEASE_INDEX.name,
            KeyConditionExpression: '#shard = :shard AND #lease < :before',
            ExpressionAttributeNames: { '#shard': LEASE_INDEX.partitionKey, '#lease': LEASE_INDEX.sortKey },
            ExpressionAttributeValues: { ':shard': String(shard), ':before': epochSeconds },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        yield* (page.Items ?? []) as LeasedJob[];
        start = page.LastEvaluatedKey;
      } while (start);
    }
  }

  async transition(jobId: string, change: Transition, context: TransitionContext): Promise<boolean> {
    const update = toConditionalUpdate(jobId, ruleFor(change), change, context, this.stamp());
    try {
      await this.doc.send(new UpdateCommand({ TableName: this.tableName, Key: { jobId }, ...update }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
