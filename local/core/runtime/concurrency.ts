/**
 * How many execution environments and pollers the runtime runs. Lambda would
 * scale out further; here each environment is a V8 isolate of 30-40 MB that
 * competes for the same cores, so more of them add memory and contention but no
 * throughput for CPU-bound work.
 */
import { availableParallelism } from 'node:os';
import type { EventSourceDef, FunctionDef, LocalPlan } from '../plan.js';
import { DEFAULT_POLLERS } from '../sqs/sqs-poller.js';

/** Most environments of one function at once when nothing says otherwise: this machine's cores, at least 2. */
export function defaultConcurrencyLimit(): number {
  return Math.max(2, availableParallelism());
}

/**
 * Environments a function may run at once: its ReservedConcurrentExecutions, else
 * as many as its event sources poll with, else `unpolled` (a function behind the
 * API); never more than `limit`. Invocations beyond wait for a free environment.
 */
export function environmentsOf(
  fn: FunctionDef,
  plan: LocalPlan,
  limits: { readonly limit: number; readonly unpolled: number },
): number {
  const polled = plan.eventSources
    .filter((e) => e.functionLogicalId === fn.logicalId)
    .reduce((n, e) => n + (e.maxConcurrency ?? DEFAULT_POLLERS), 0);
  return Math.min(fn.reservedConcurrency ?? (polled || limits.unpolled), limits.limit);
}

/** Pollers an event source runs: its MaximumConcurrency (Lambda's default when unset), never more than `limit`. */
export function pollersOf(mapping: EventSourceDef, limit: number): number {
  return Math.min(mapping.maxConcurrency ?? DEFAULT_POLLERS, limit);
}

/** How the limit was chosen, for {@link concurrencyNote}. */
export interface ConcurrencyOrigin {
  /** The limit was given, not the default. */
  readonly configured: boolean;
  /** The setting that changes it (`QW_CONCURRENCY`), if the caller has one to name. */
  readonly setting?: string;
}

/** The start-up note on the limit, when it holds anything back (an API, or an event source above it). */
export function concurrencyNote(plan: LocalPlan, limit: number, origin: ConcurrencyOrigin): string | undefined {
  if (!plan.apis.length && !plan.eventSources.some((e) => (e.maxConcurrency ?? DEFAULT_POLLERS) > limit)) {
    return undefined;
  }
  const why = origin.configured
    ? origin.setting
      ? `set by ${origin.setting}`
      : 'as configured'
    : `the number of cores, at least 2${origin.setting ? `, unless ${origin.setting} sets it` : ''}`;
  return `At most ${limit} execution environments per function run at once locally (${why}): event sources poll with at most ${limit}, and further API requests wait for a free environment.`;
}
