import type { LocalPlan } from '../plan.js';
import { DEFAULT_POLLERS } from '../sqs/sqs-poller.js';
import type { BannerContribution, BannerRow } from './extension.js';

/** What the start-up banner shows. */
export interface BannerInput {
  readonly plan: LocalPlan;
  readonly url: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local S3 endpoint, shown when the stack has buckets. @default not shown */
  readonly s3Endpoint?: string;
  /** The note on the concurrency limit, if it holds anything back. */
  readonly concurrencyNote?: string;
  /** What the runtime breaks on purpose (QW_FAULTS), if anything. */
  readonly faultNote?: string;
  readonly contributions: readonly BannerContribution[];
}

/**
 * The start-up banner: where the API is, its routes, what the extensions serve,
 * the event source pollers, the emulators, and a note for each thing that
 * behaves differently locally.
 */
export function bannerText(input: BannerInput): string {
  const { plan, url } = input;
  const api = plan.apis[0];
  const rows: BannerRow[] = [];
  if (api) {
    rows.push({ label: 'API', text: `${url}   (the deployed URL's stage path ${url}/${api.stage} works too)` });
    const routes = api.routes.flatMap((r) => [...r.methods.keys()].map((m) => `${m} ${r.resourcePath}`));
    rows.push({ label: 'Routes', text: routes.join(', ') });
  }
  rows.push(...input.contributions.flatMap((c) => c.services ?? []));
  if (plan.eventSources.length) rows.push({ label: 'Pollers', text: pollerLines(plan).join('\n') });
  const schedules = scheduleLines(plan);
  if (schedules.length) rows.push({ label: 'Schedules', text: schedules.join('\n') });
  rows.push({
    label: 'SQS',
    text: `${input.sqsEndpoint} (fauxqs)   DynamoDB ${input.dynamodbEndpoint} (dynalite)`,
  });
  if (plan.buckets.length && input.s3Endpoint) {
    rows.push({ label: 'S3', text: `${input.s3Endpoint} (fauxqs, behind the runtime's checks of presigned requests)` });
  }
  for (const note of notesOf(plan, input.concurrencyNote)) rows.push({ label: 'NOTE', text: note });
  if (input.faultNote) rows.push({ label: 'FAULTS', text: input.faultNote });
  rows.push(...input.contributions.flatMap((c) => c.hints ?? []));
  return [
    `Local runtime for stack ${plan.stackName} (${plan.region}); no AWS account is used.`,
    ...rows.map(formatRow),
    '  Ctrl+C stops pollers, waits for work in flight, and exits.',
  ].join('\n');
}

/** `  Label      text`, with the text's further lines under its first. */
function formatRow(row: BannerRow): string {
  return `  ${row.label.padEnd(10)} ${row.text.split('\n').join(`\n${' '.repeat(13)}`)}`;
}

/** One line per event source: the function it drives, its queue, and the settings that shape its batches. */
function pollerLines(plan: LocalPlan): string[] {
  return plan.eventSources.map((e) => {
    const fn = plan.functions.find((f) => f.logicalId === e.functionLogicalId);
    const queue = plan.queues.find((q) => q.logicalId === e.queueLogicalId);
    return `${fn?.displayName} (queue ${queue?.name}, batch ${e.batchSize}, concurrency ${e.maxConcurrency ?? DEFAULT_POLLERS}, timeout ${fn?.timeoutSeconds} s)`;
  });
}

/** One line per enabled scheduled rule: what it invokes, and how often. */
function scheduleLines(plan: LocalPlan): string[] {
  return plan.schedules
    .filter((s) => s.enabled && s.targets.length)
    .map((s) => {
      const names = s.targets.map((t) => plan.functions.find((f) => f.logicalId === t.functionLogicalId)?.displayName);
      return `${names.join(', ')} on ${s.expression}`;
    });
}

/** What behaves differently locally: authorization, TTL, the template's own notes, then the concurrency limit. */
function notesOf(plan: LocalPlan, concurrencyNote: string | undefined): string[] {
  const notes: string[] = [];
  const authorized = (plan.apis[0]?.routes ?? []).flatMap((r) =>
    [...r.methods.values()].filter((m) => m.authorizationType !== 'NONE' || m.apiKeyRequired),
  );
  if (authorized.length) {
    const kinds = [...new Set(authorized.map((m) => (m.apiKeyRequired ? 'API key' : m.authorizationType)))];
    notes.push(
      `${authorized.length} API methods require ${kinds.join(' and ')} authorization on AWS; it is NOT checked locally.`,
    );
  }
  for (const table of plan.tables) {
    if (table.ttlAttribute) {
      notes.push(
        `Table ${table.name}: dynalite has no TTL; the runtime deletes items past "${table.ttlAttribute}" every minute.`,
      );
    }
  }
  if (plan.buckets.length) {
    notes.push(
      "fauxqs's S3 checks no signature, policy or expiry: the runtime enforces presigned POST policies (signature, expiry, Content-Type and the other conditions, content-length-range) and presigned URLs (signature, expiry) in front of it, as S3 does, and answers CORS from the buckets' rules and for its own pages.",
    );
  }
  notes.push(...plan.notes);
  if (concurrencyNote) notes.push(concurrencyNote);
  return notes;
}
