import { setTimeout as sleep } from 'node:timers/promises';

/** An event as EventBridge delivers it (the fields `qw events` shows). */
export interface FeedEvent {
  readonly id?: string;
  readonly time?: string;
  readonly source?: string;
  readonly 'detail-type'?: string;
  readonly detail?: Record<string, unknown>;
}

/** One event, with the bus and the rule targets it went to where the target knows them. */
export interface FeedItem {
  readonly event: FeedEvent;
  readonly busName?: string;
  readonly deliveries?: readonly { rule: string; target: string; status: string; error?: string }[];
}

/** Where `qw events` reads a target's events. */
export interface EventFeed {
  /** Said once before the events: where they come from. */
  readonly description: string;
  /** The events the target keeps, oldest first, at most `limit`; absent where it keeps none (a deployed stack). */
  recent?(limit: number): Promise<readonly FeedItem[]>;
  /** Events from now on, until `signal` aborts; `ready` is called once the feed listens. */
  follow(signal: AbortSignal | undefined, ready: () => void): AsyncIterable<FeedItem>;
}

interface EventsPage {
  readonly events: readonly ({ readonly seq: number } & FeedItem)[];
  readonly next: number;
}

/**
 * The local runtime's events, from its console (`/ui/api/events`): it keeps
 * the last 500 with the rule targets each went to; following polls for those
 * after the last one seen.
 */
export function localEventFeed(url: string, pollMs = 500): EventFeed {
  const page = async (after: number, limit: number): Promise<EventsPage> => {
    const res = await fetch(`${url}/ui/api/events?after=${after}&limit=${limit}`);
    if (!res.ok) throw new Error(`The local runtime answered ${res.status} for its events.`);
    return (await res.json()) as EventsPage;
  };
  const item = ({ event, busName, deliveries }: FeedItem): FeedItem => ({
    event,
    ...(busName ? { busName } : {}),
    ...(deliveries ? { deliveries } : {}),
  });
  return {
    description: `the local runtime at ${url} (the last 500 events, with the rule targets each went to)`,
    async recent(limit) {
      return (await page(0, limit)).events.map(item);
    },
    async *follow(signal, ready) {
      let cursor = (await page(0, 1)).next;
      ready();
      while (!signal?.aborted) {
        const next = await page(cursor, 500);
        for (const e of next.events) yield item(e);
        cursor = next.next;
        await sleep(pollMs, undefined, signal ? { signal } : {}).catch(() => undefined);
      }
    },
  };
}
