/**
 * The last `capacity` items, each with a sequence number that only grows, so a
 * follower asks for what came after the last one it saw. Adding is O(1): the
 * event path must stay cheap.
 */
export class RecentEvents<T extends { readonly seq: number }> {
  private readonly items: (T | undefined)[];
  private next = 1;

  constructor(readonly capacity: number) {
    this.items = new Array(capacity);
  }

  /** Adds the item `make` builds with its sequence number; the oldest goes when full. */
  add(make: (seq: number) => T): T {
    const item = make(this.next);
    this.items[(this.next - 1) % this.capacity] = item;
    this.next += 1;
    return item;
  }

  /** The sequence number the next item gets. */
  get nextSeq(): number {
    return this.next;
  }

  /** Items after sequence `after` (0 for all kept), oldest first, at most `limit` of the newest. */
  list(after = 0, limit = this.capacity): T[] {
    const first = Math.max(after + 1, this.next - this.capacity, 1);
    const start = Math.max(first, this.next - limit);
    const out: T[] = [];
    for (let seq = start; seq < this.next; seq++) {
      const item = this.items[(seq - 1) % this.capacity];
      if (item) out.push(item);
    }
    return out;
  }
}
