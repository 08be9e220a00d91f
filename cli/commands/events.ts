import { CliError, EXIT, type ExitCode, fromAwsError } from '../errors.js';
import { type CliIo, writeJson } from '../io.js';
import type { FeedItem } from '../targets/event-feed.js';
import type { Target } from '../targets/target.js';

/** One event as a line: time, detail-type, the job's type, id and attempts, then where it went. */
export function eventLine(item: FeedItem): string {
  const { event } = item;
  const detail = event.detail ?? {};
  const time = event.time ? new Date(event.time).toLocaleTimeString() : '-';
  const job = [detail.type, detail.jobId].filter((x) => x !== undefined).join(' ');
  const attempts = detail.attempts !== undefined ? `attempts ${detail.attempts}` : '';
  const error = (detail.error as { code?: string } | undefined)?.code ?? '';
  const omitted = detail.resultOmitted ? 'result left out (too large)' : '';
  // A job event by its detail-type and job; another event on the bus by its detail-type and source.
  const kind = event['detail-type'] ?? event.source ?? '?';
  const what = job || (event['detail-type'] ? event.source : '');
  const head = [time, kind, what, attempts, error, omitted].filter(Boolean).join('  ');
  const deliveries = (item.deliveries ?? []).map(
    (d) => `${d.rule} -> ${d.target} ${d.status === 'delivered' ? 'ok' : d.status}${d.error ? ` (${d.error})` : ''}`,
  );
  if (item.deliveries && !deliveries.length) deliveries.push('no rule matched');
  return deliveries.length ? `${head}\n    ${deliveries.join('\n    ')}` : head;
}

/**
 * `qw events`: the job events the target keeps (the local runtime keeps the
 * last 500), then with `--follow` those that come until Ctrl+C. A deployed
 * stack keeps none: `--follow` taps its bus while it runs. `--json` prints one
 * JSON document per event.
 */
export async function events(
  target: Target,
  io: CliIo,
  options: { readonly follow: boolean; readonly max: number; readonly json: boolean },
): Promise<ExitCode> {
  const feed = target.events;
  if (!feed) {
    throw new CliError(
      EXIT.NO_TARGET,
      `${target.description} has no job event bus (no JobEventBusName output).`,
      'Deploy the current version of the stack, which adds it.',
    );
  }
  const show = (item: FeedItem) => {
    if (options.json) writeJson(io, item);
    else io.stdout.write(`${eventLine(item)}\n`);
  };
  if (!feed.recent && !options.follow) {
    throw new CliError(
      EXIT.USAGE,
      `${target.description} keeps no history of its events.`,
      'Use qw events --follow: it taps the bus with a temporary rule and queue while it runs.',
    );
  }
  try {
    if (feed.recent) {
      const recent = await feed.recent(options.max);
      for (const item of recent) show(item);
      if (!recent.length && !options.follow && !options.json) io.stderr.write('No events yet.\n');
    }
    if (!options.follow) return EXIT.OK;
    // On stderr, with --json too: scripts read stdout, and a person sees when the feed listens.
    const listening = () => io.stderr.write(`Following ${feed.description}. Ctrl+C to stop.\n`);
    for await (const item of feed.follow(io.signal, listening)) show(item);
    return EXIT.OK;
  } catch (error) {
    throw fromAwsError(error, 'Reading the job events');
  }
}
