/**
 * A batch's timers of one delay, one per lane (see `schedule.ts`): a lane runs
 * one record at a time, so each record's timer restarts its lane's
 * (`Timeout.refresh`) instead of making and clearing a timer of its own, which
 * cost more than the rest of a short job's bookkeeping. The worker uses them to
 * write `running` for a job that runs past `markRunningAfterSeconds`.
 */
export class LaneTimers {
  readonly #timers: (NodeJS.Timeout | undefined)[] = [];
  readonly #calls: ((() => void) | undefined)[] = [];

  constructor(private readonly delayMs: number) {}

  /** Calls `call` once the delay has passed, unless {@link stop} for the lane comes first. */
  start(lane: number, call: () => void): void {
    this.#calls[lane] = call;
    const timer = this.#timers[lane];
    if (timer) timer.refresh();
    else this.#timers[lane] = setTimeout(() => this.#fire(lane), this.delayMs);
  }

  /** Forgets the lane's pending call; its timer, if it fires, then does nothing. */
  stop(lane: number): void {
    this.#calls[lane] = undefined;
  }

  /** Clears every timer; call when the batch is done. */
  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#calls.length = 0;
  }

  #fire(lane: number): void {
    const call = this.#calls[lane];
    this.#calls[lane] = undefined;
    call?.();
  }
}
