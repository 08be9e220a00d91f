/**
 * Seconds since the oldest message still in a queue (visible or in flight) was
 * sent, as CloudWatch's ApproximateAgeOfOldestMessage; `null` when the queue is
 * empty or cannot be read. Read from fauxqs's inspection endpoint, which leaves
 * messages untouched, at most once a second per queue.
 */
export class OldestMessageAges {
  private readonly cache = new Map<string, { at: number; value: Promise<number | null> }>();

  constructor(
    private readonly sqsEndpoint: string,
    private readonly now: () => number = Date.now,
  ) {}

  of(queueName: string): Promise<number | null> {
    const now = this.now();
    const cached = this.cache.get(queueName);
    if (cached && now - cached.at < 1000) return cached.value;
    const value = this.read(queueName).catch(() => null);
    this.cache.set(queueName, { at: now, value });
    return value;
  }

  private async read(queueName: string): Promise<number | null> {
    const res = await fetch(`${this.sqsEndpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
    if (!res.ok) return null;
    type Msg = { sentTimestamp?: number };
    const body = (await res.json()) as { messages?: { ready?: Msg[]; inflight?: { message?: Msg }[] } };
    let min = Number.POSITIVE_INFINITY;
    for (const m of body.messages?.ready ?? []) min = Math.min(min, m.sentTimestamp ?? min);
    for (const e of body.messages?.inflight ?? []) min = Math.min(min, e.message?.sentTimestamp ?? min);
    return Number.isFinite(min) ? Math.max(0, Math.round((this.now() - min) / 1000)) : null;
  }
}
