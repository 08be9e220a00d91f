/**
 * Types derived from a job registry: `createJobClient<typeof jobTypes>()`
 * reads each type's name, payload schema and handler from the registry's
 * type alone. Nothing here exists at run time, so a type-only import of the
 * registry brings none of its code (handlers, zod, the AWS SDK) into a bundle.
 */
import type { FinishedJob, JobAccepted, JobView } from './api-types.js';

/**
 * The least a registry entry must have: a name and a payload schema, and
 * usually a handler. A schema is read through Standard Schema (`~standard`),
 * which zod 4 implements, so any such library works.
 */
export interface JobTypeShape {
  readonly name: string;
  readonly payload: unknown;
}

/** A registry: `typeof jobTypes` where `jobTypes = [a, b] as const`. */
export type JobTypeList = readonly JobTypeShape[];

/** What a client knows without a registry: any type name, any payload, any result. */
export type AnyJobTypes = readonly JobTypeShape[];

/** The names of the registry's types: `'simulate' | 'webhook.deliver'`. */
export type JobTypeName<T extends JobTypeList> = T[number]['name'];

/**
 * The registry entry called `N`: the entries whose name `N` is (so a registry
 * without literal names, {@link AnyJobTypes}, gives its one shape for any `N`).
 */
export type JobTypeNamed<T extends JobTypeList, N extends JobTypeName<T>> = T[number] extends infer E
  ? E extends { readonly name: infer K }
    ? N extends K
      ? E
      : never
    : never
  : never;

/**
 * A schema's input type, as Standard Schema declares it: what a producer may
 * send, before defaults are applied (zod's `z.input`). `unknown` for anything else.
 */
export type SchemaInput<S> = S extends { readonly '~standard': { readonly types?: infer Types } }
  ? NonNullable<Types> extends { readonly input: infer I }
    ? I
    : unknown
  : unknown;

/** The payload a producer sends for type `N`: its schema's input, so defaulted fields are optional. */
export type JobPayload<T extends JobTypeList, N extends JobTypeName<T>> = SchemaInput<JobTypeNamed<T, N>['payload']>;

/** What the handler of type `N` resolves to; `unknown` for an entry without a handler. */
export type JobResult<T extends JobTypeList, N extends JobTypeName<T>> =
  JobTypeNamed<T, N> extends { handler(...args: never[]): infer Out } ? Awaited<Out> : unknown;

/** Options of one job in a submission (both `submit` and each item of `submitBatch`). */
export interface SubmitFields {
  /**
   * Sending the same key again returns the same job and queues nothing new. The
   * client makes one up when none is given, so that its own retries are safe.
   */
  readonly idempotencyKey?: string;
  /** Delay before the first attempt, in seconds (0-900; standard job types only). */
  readonly delaySeconds?: number;
  /** FIFO job types only: jobs of one group run in order. Defaults to the job id. */
  readonly groupId?: string;
  /**
   * Where the finished job is POSTed, signed (Standard Webhooks), once it has
   * `succeeded` or `failed`: https, or http to loopback where the stack allows private networks.
   */
  readonly callbackUrl?: string;
}

/** One item of `submitBatch`: a union over the registry's types, so each payload is checked against its own type. */
export type BatchItem<T extends JobTypeList> = {
  [N in JobTypeName<T>]: SubmitFields & { readonly type: N; readonly payload: JobPayload<T, N> };
}[JobTypeName<T>];

/** The accepted body of a job of one of the types `N`. */
export type JobAcceptedOf<T extends JobTypeList, N extends JobTypeName<T> = JobTypeName<T>> = {
  [K in N]: JobAccepted<K>;
}[N];

/** A job's view typed by its type: a union over `N`, narrowed by `job.type`, then by `job.status`. */
export type JobViewOf<T extends JobTypeList, N extends JobTypeName<T> = JobTypeName<T>> = {
  [K in N]: JobView<K, JobResult<T, K>>;
}[N];

/** A finished job typed by its type: a union over `N`, narrowed by `job.type`, then by `job.status`. */
export type FinishedJobOf<T extends JobTypeList, N extends JobTypeName<T> = JobTypeName<T>> = {
  [K in N]: FinishedJob<K, JobResult<T, K>>;
}[N];
