import { CancelledError, errorInfo, ValidationError } from '../shared/errors.js';
import { isTerminal, type JobProgress } from '../shared/job.js';
import type { Deadline } from './deadline.js';
import type { WorkerDeps } from './deps.js';
import type { RunningMarker } from './start.js';

/** Least time between two progress writes of one job: DynamoDB bills each. */
export const PROGRESS_INTERVAL_MS = 1000;
/** How often a running attempt that reports no progress checks whether it was asked to stop. */
export const CANCEL_CHECK_MS = 5000;
/** Largest progress value a job may report, as JSON. */
export const MAX_PROGRESS_BYTES = 4096;

/**
 * What a running attempt can be told and can tell: the abort signal its
 * handler gets (the batch's deadline, or a cancellation), and its progress
 * reports. A cancellation reaches it three ways: the answer to a progress
 * report, a check every {@link CANCEL_CHECK_MS} once the job shows as running,
 * or its `running` write being refused (the job was cancelled before it
 * showed as running). Cooperative: the handler decides when to stop.
 */
export class AttemptControl {
  #cancel: AbortController | undefined;
  #signal: AbortSignal | undefined;
  #cancelled = false;
  #done = false;
  #pending: JobProgress | undefined;
  #lastReport = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> | undefined;
  #check: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: WorkerDeps,
    private readonly jobId: string,
    private readonly attempt: number,
    private readonly marker: RunningMarker,
    private readonly deadline: Deadline,
  ) {
    marker.onWritten((won) => (won ? this.#startChecks() : this.cancel()));
  }

  /** Fires at the batch's deadline, or when the job is cancelled while it runs. Made on first use. */
  get signal(): AbortSignal {
    if (!this.#signal) {
      this.#cancel = new AbortController();
      if (this.#cancelled) this.#cancel.abort(new CancelledError());
      this.#signal = AbortSignal.any([this.deadline.signal, this.#cancel.signal]);
    }
    return this.#signal;
  }

  /** True once the attempt was told it is cancelled. */
  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** Tells the attempt it is cancelled: its signal fires. */
  cancel(): void {
    if (this.#cancelled || this.#done) return;
    this.#cancelled = true;
    this.#cancel?.abort(new CancelledError());
    clearInterval(this.#check);
  }

  /**
   * Records the handler's progress: at most one write per
   * {@link PROGRESS_INTERVAL_MS}, the latest value winning. The first report
   * of an attempt not yet shown as running is its `running` write. Resolves
   * once queued; a failed write is logged, never thrown at the handler.
   */
  progress(value: JobProgress): Promise<void> {
    try {
      checkProgress(value);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#done) return Promise.resolve();
    if (!this.marker.started) {
      this.#lastReport = Date.now();
      void this.marker.writeNow(value).catch((error: unknown) => this.#warn('could not mark the job running', error));
      return Promise.resolve();
    }
    this.#pending = value;
    this.#schedule();
    return Promise.resolve();
  }

  /**
   * The last progress report not written yet, if any: the attempt's outcome
   * write carries it, so the last report is never lost and costs no write of its own.
   */
  get unwritten(): JobProgress | undefined {
    return this.#pending;
  }

  /**
   * Ends the attempt's control: no more checks, progress writes or `running`
   * write. Returns what the outcome's write must wait for (a progress write in
   * flight, or the `running` write if one went out; neither rejects), or
   * nothing when neither did, as for most short jobs.
   */
  settle(): Promise<unknown> | undefined {
    this.#done = true;
    clearTimeout(this.#timer);
    clearInterval(this.#check);
    const running = this.marker.stop();
    if (!this.#inFlight) return running;
    return running ? Promise.all([this.#inFlight, running]) : this.#inFlight;
  }

  #schedule(): void {
    // Once settled, a pending report is the outcome's to write (`unwritten`), not a timer's.
    if (this.#done || this.#timer || this.#inFlight || this.#pending === undefined) return;
    const wait = Math.max(0, this.#lastReport + PROGRESS_INTERVAL_MS - Date.now());
    this.#timer = setTimeout(() => this.#report(), wait);
  }

  #report(): void {
    this.#timer = undefined;
    const value = this.#pending;
    this.#pending = undefined;
    if (value === undefined || this.#done) return;
    this.#lastReport = Date.now();
    this.#inFlight = (async () => {
      // The `running` write lands first: a report is refused for a job not running this attempt.
      await this.marker.written();
      const receipt = await this.deps.store.reportProgress(this.jobId, this.attempt, value);
      if (!receipt || receipt.cancelRequested) this.cancel();
    })()
      .catch((error: unknown) => this.#warn('could not record the job progress', error))
      .finally(() => {
        this.#inFlight = undefined;
        this.#schedule();
      });
  }

  /** Once the job shows as running: checks now and then whether someone asked it to stop. */
  #startChecks(): void {
    if (this.#done || this.#cancelled) return;
    this.#check = setInterval(() => {
      this.deps.store.get(this.jobId, { consistent: false }).then(
        (job) => {
          // An eventually consistent read may be a little behind; only what cannot be stale counts.
          const movedOn = job && job.status === 'running' && job.attempts > this.attempt;
          if (job?.cancelRequested || (job && isTerminal(job.status)) || movedOn) this.cancel();
        },
        () => undefined,
      );
    }, this.deps.cancelCheckMs ?? CANCEL_CHECK_MS);
    this.#check.unref?.();
  }

  #warn(message: string, error: unknown): void {
    this.deps.logger.warn(message, { jobId: this.jobId, attempt: this.attempt, error: errorInfo(error) });
  }
}

/** A number, or a JSON object of at most {@link MAX_PROGRESS_BYTES}. */
function checkProgress(value: JobProgress): void {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError('ctx.progress takes a finite number or a JSON object.');
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('ctx.progress takes a finite number or a JSON object.');
  }
  const bytes = Buffer.byteLength(JSON.stringify(value));
  if (bytes > MAX_PROGRESS_BYTES) {
    throw new ValidationError(`ctx.progress takes at most ${MAX_PROGRESS_BYTES} bytes of JSON; this is ${bytes}.`);
  }
}
