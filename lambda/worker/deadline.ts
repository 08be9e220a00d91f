import { DeadlineExceededError } from '../shared/errors.js';

/**
 * The batch's deadline: one AbortSignal for every job, and a race that stops
 * waiting for a job when it fires, so the batch answers Lambda before the
 * timeout even if a job ignores its signal. One abort listener per batch, not
 * one per record: EventTarget listeners are slow to add and remove by the thousand.
 * Each lane of the batch (see `schedule.ts`) waits for one job at a time, so
 * the deadline keeps one race per lane, overwritten by the lane's next job:
 * nothing to remove as each job ends, and never more than a lane's worth kept.
 */
export class Deadline {
  // Made on first use of the signal: most batches run jobs that never look at it.
  #controller: AbortController | undefined;
  /** By lane: the last race's reject (a no-op once that race has settled); a lane that never raced has none. */
  readonly #waiting: (((error: Error) => void) | undefined)[] = [];
  #timer: NodeJS.Timeout | undefined;
  // A plain field: the batch asks before every record, and AbortSignal's getter is slower.
  #passed = false;

  /** @param inMs - when the signal fires, from now; `Infinity` for never */
  constructor(inMs: number) {
    if (Number.isFinite(inMs)) this.#timer = setTimeout(() => this.abort(), Math.max(0, inMs));
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#passed) this.#controller.abort(new DeadlineExceededError());
    }
    return this.#controller.signal;
  }

  get passed(): boolean {
    return this.#passed;
  }

  /** Fires the signal and fails every race still waiting. */
  abort(): void {
    if (this.#passed) return;
    this.#passed = true;
    const error = new DeadlineExceededError();
    this.#controller?.abort(error);
    for (const reject of this.#waiting) reject?.(error);
  }

  /**
   * Settles with `work`, or rejects with {@link DeadlineExceededError} when the deadline passes first.
   * @param lane - the lane that waits for `work`, from 0; it must not wait for another race meanwhile
   */
  race<T>(work: Promise<T>, lane: number): Promise<T> {
    if (this.passed) return Promise.reject(new DeadlineExceededError());
    return new Promise<T>((resolve, reject) => {
      this.#waiting[lane] = reject;
      work.then(resolve, reject);
    });
  }

  /** Stops the timer; call when the batch is done. */
  dispose(): void {
    clearTimeout(this.#timer);
  }
}

/** The deadline margin when the configuration sets none: 10% of the invocation, between 200 ms and 3 s. */
export function defaultDeadlineMarginMs(remainingMs: number): number {
  return Math.min(3000, Math.max(200, Math.round(remainingMs * 0.1)));
}

/** What a batch needs of the Lambda context: the time it has left. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * A batch's deadline from the invocation's remaining time: the signal fires
 * `marginMs` before Lambda's timeout, and no record starts with less than
 * twice the margin left, so a started job has time to finish or be cut off
 * cleanly. Without a context (tests, benchmarks) the batch has no deadline.
 */
export function batchDeadline(
  context: RemainingTime | undefined,
  marginMs?: number,
): { readonly deadline: Deadline; canStart(): boolean } {
  const remaining = () => (context ? context.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY);
  const atStart = remaining();
  const margin = marginMs ?? defaultDeadlineMarginMs(atStart);
  const deadline = new Deadline(atStart - margin);
  return { deadline, canStart: () => !deadline.passed && remaining() >= 2 * margin };
}
