/** Seconds of per-second throughput the console keeps for the dashboard's plot. */
export const THROUGHPUT_HISTORY_SECONDS = 15 * 60;
/** The window {@link Throughput.jobsPerSecond} averages over. */
export const RATE_WINDOW_SECONDS = 10;

/** Jobs finished per second of one job type, in buckets over a span of time. */
export interface ThroughputSeries {
  readonly type: string;
  readonly points: number[];
}

/**
 * Jobs finished per queue and second, counted from the records the pollers
 * deleted, as SQS's NumberOfMessagesDeleted counts them. Kept for
 * {@link THROUGHPUT_HISTORY_SECONDS}.
 */
export class Throughput {
  /** Messages deleted per queue name, per epoch second. */
  private readonly done = new Map<string, Map<number, number>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts the records a poller deleted from a queue. */
  record(queueName: string, deleted: number): void {
    if (deleted <= 0) return;
    const second = Math.floor(this.now() / 1000);
    let perSecond = this.done.get(queueName);
    if (!perSecond) {
      perSecond = new Map();
      this.done.set(queueName, perSecond);
    }
    perSecond.set(second, (perSecond.get(second) ?? 0) + deleted);
    if (perSecond.size > THROUGHPUT_HISTORY_SECONDS + 60) {
      for (const s of perSecond.keys()) if (s < second - THROUGHPUT_HISTORY_SECONDS) perSecond.delete(s);
    }
  }

  /** Messages deleted per second from a queue, averaged over the last {@link RATE_WINDOW_SECONDS}. */
  jobsPerSecond(queueName: string): number {
    const perSecond = this.done.get(queueName);
    if (!perSecond) return 0;
    const now = Math.floor(this.now() / 1000);
    let sum = 0;
    for (let s = now - RATE_WINDOW_SECONDS + 1; s <= now; s++) sum += perSecond.get(s) ?? 0;
    return sum / RATE_WINDOW_SECONDS;
  }

  /** Jobs finished per second, per type, in `stepSeconds` buckets over the last `minutes`. */
  series(
    types: readonly { readonly type: string; readonly queueName: string }[],
    minutes: number,
    stepSeconds: number,
  ): { stepSeconds: number; start: string; end: string; series: ThroughputSeries[] } {
    const now = Math.floor(this.now() / 1000);
    const span = Math.min(minutes * 60, THROUGHPUT_HISTORY_SECONDS);
    const first = now - span + 1;
    const buckets = Math.ceil(span / stepSeconds);
    return {
      stepSeconds,
      start: new Date((now - buckets * stepSeconds + 1) * 1000).toISOString(),
      end: new Date(now * 1000).toISOString(),
      series: types.map((t) => {
        const perSecond = this.done.get(t.queueName);
        const points: number[] = [];
        for (let b = 0; b < buckets; b++) {
          let sum = 0;
          const from = now - (buckets - b) * stepSeconds + 1;
          for (let s = Math.max(from, first); s < from + stepSeconds; s++) sum += perSecond?.get(s) ?? 0;
          points.push(sum / stepSeconds);
        }
        return { type: t.type, points };
      }),
    };
  }
}
