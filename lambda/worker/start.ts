import type { SQSRecord } from 'aws-lambda';
import { visibilityTimeoutSeconds } from '../jobs/define.js';
import { errorInfo } from '../shared/errors.js';
import type { JobErrorInfo, JobOrigin, JobProgress, JobRecord } from '../shared/job.js';
import {
  guardAllows,
  type StartAttempt,
  sameRequest,
  TRANSITIONS,
  type TransitionContext,
} from '../shared/transitions.js';
import type { WorkerDeps } from './deps.js';
import type { LaneTimers } from './lane-timers.js';

/** How an attempt begins. */
export type AttemptStart =
  /**
   * The job finished already, or a later attempt runs, or the message belongs
   * to a request the API refused (its key names another request's job):
   * acknowledge without running.
   */
  | { readonly kind: 'duplicate' }
  /** The job was cancelled, or asked to stop: acknowledge without running. */
  | { readonly kind: 'cancelled' }
  /** The table did not answer: nothing ran and nothing was recorded. */
  | { readonly kind: 'unavailable'; readonly error: JobErrorInfo }
  /** Run the handler; `marker` writes `running` if and when it should. `job` is the record as read, if any. */
  | { readonly kind: 'run'; readonly marker: RunningMarker; readonly job: JobRecord | undefined };

/**
 * Starts one attempt with as few writes as the guarantees allow. The job is
 * read once (consistently) and held to the same rule the `running` write would
 * apply, so a duplicate delivery of a finished job never runs. The `running`
 * status, with its lease, is written at once on the last attempt and for a
 * redriven job (the reconciler must be able to find them, and a `failed` job
 * must be reopened), and otherwise only once the job has run for the type's
 * `markRunningAfterSeconds`: a short first attempt that succeeds costs one
 * write here, its `succeeded`.
 *
 * The API sends a job's message before it writes the record, and the message
 * carries the job's origin (`context.origin`): where the record is missing (the
 * API stopped in between, or has not written it yet), the attempt's first
 * write creates it from the origin, whichever write that is. A message whose
 * record is of another request (the API refused this one with a 409) is
 * acknowledged without running.
 */
export async function startAttempt(
  deps: WorkerDeps,
  record: SQSRecord,
  jobId: string,
  /** How this record's writes create a missing record: see {@link storeContextOf}. */
  context: TransitionContext,
  attempt: number,
  /** The batch's timers for deferred `running` writes, one per lane; `lane` is this attempt's. */
  runningMarks: LaneTimers,
  lane: number,
): Promise<AttemptStart> {
  const change: StartAttempt = {
    to: 'running',
    attempt,
    messageId: record.messageId,
    leaseSeconds: deps.config.leaseSeconds ?? visibilityTimeoutSeconds(deps.jobType.queue),
  };
  let job: JobRecord | undefined;
  try {
    job = await deps.store.get(jobId);
  } catch (error) {
    return { kind: 'unavailable', error: errorInfo(error) };
  }
  if (job?.status === 'cancelled') return { kind: 'cancelled' };
  if (context.origin && !sameRequest(job, context.origin)) {
    deps.logger.warn('the message is of a request the API refused; acknowledged without running', { jobId });
    return { kind: 'duplicate' };
  }
  if (job?.status === 'running' && job.cancelRequested) return endCancelled(deps, jobId, job.attempts);
  if (!guardAllows(TRANSITIONS.start.requires, change, job, Math.floor(Date.now() / 1000)))
    return { kind: 'duplicate' };
  const marker = new RunningMarker(deps, jobId, change, context);
  const atOnce = attempt >= deps.jobType.queue.maxAttempts || job?.status === 'failed';
  if (atOnce || deps.jobType.queue.markRunningAfterSeconds === 0) {
    try {
      // Conditional, as ever: a refusal means another delivery moved the job on meanwhile.
      if (!(await marker.writeNow())) return { kind: 'duplicate' };
    } catch (error) {
      return { kind: 'unavailable', error: errorInfo(error) };
    }
  } else {
    marker.writeAfter(runningMarks, lane);
  }
  return { kind: 'run', marker, job };
}

/**
 * Writes an attempt's `running` status, now or after a delay, at most once;
 * {@link stop} hands over a write in flight (so it never lands after the
 * attempt's outcome) and cancels one not yet due.
 */
export class RunningMarker {
  // The lane's timer that writes `running` later, if this attempt waits for it.
  #timers: LaneTimers | undefined;
  #lane = 0;
  #write: Promise<boolean> | undefined;
  #listener: ((won: boolean) => void) | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly jobId: string,
    private readonly change: StartAttempt,
    private readonly context: TransitionContext,
  ) {}

  /** True once the `running` write went out (or was made at start). */
  get started(): boolean {
    return this.#write !== undefined;
  }

  /** Called once the write is answered: won, or refused (the job moved on, or was cancelled, meanwhile). */
  onWritten(listener: (won: boolean) => void): void {
    this.#listener = listener;
    void this.#write?.then(listener, () => undefined);
  }

  /** Writes `running` now, with the attempt's first progress report if that is what prompts it. */
  writeNow(progress?: JobProgress): Promise<boolean> {
    if (!this.#write) {
      this.#timers?.stop(this.#lane);
      const change = progress === undefined ? this.change : { ...this.change, progress };
      this.#write = this.deps.store.transition(this.jobId, change, this.context);
      void this.#write.then(
        (won) => this.#listener?.(won),
        () => undefined,
      );
    }
    return this.#write;
  }

  /** The write, if one went out, as a promise that never rejects. */
  written(): Promise<unknown> | undefined {
    return this.#write?.catch(() => undefined);
  }

  /** Writes `running` once the lane's timer (the type's `markRunningAfterSeconds`) fires, unless stopped first. */
  writeAfter(timers: LaneTimers, lane: number): void {
    this.#timers = timers;
    this.#lane = lane;
    timers.start(lane, () => {
      this.writeNow().catch((error: unknown) => {
        // Only the status's accuracy is lost: the outcome's write follows, and SQS keeps the message.
        this.deps.logger.warn('could not mark the job running', { jobId: this.jobId, error: errorInfo(error) });
      });
    });
  }

  /** Cancels a write not yet due; returns the write, if one went out (see {@link written}). */
  stop(): Promise<unknown> | undefined {
    this.#timers?.stop(this.#lane);
    return this.written();
  }
}

/**
 * What the store needs to create a missing record: the job's type and, for a
 * message the API sent, the job's origin (a job a producer sent straight to the
 * queue has none).
 */
export function storeContextOf(deps: WorkerDeps, origin?: JobOrigin): TransitionContext {
  return { type: deps.jobType.name, maxAttempts: deps.jobType.queue.maxAttempts, ...(origin ? { origin } : {}) };
}

/**
 * Ends `cancelled` a running job that was asked to stop and whose attempt
 * stopped without an outcome (its message came back): the next attempt does not run.
 */
async function endCancelled(deps: WorkerDeps, jobId: string, attempt: number): Promise<AttemptStart> {
  try {
    await deps.store.transition(jobId, { to: 'cancelled', from: 'running', attempt }, storeContextOf(deps));
  } catch (error) {
    return { kind: 'unavailable', error: errorInfo(error) };
  }
  return { kind: 'cancelled' };
}
