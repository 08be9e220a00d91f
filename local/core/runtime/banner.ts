import { SUPPORTED_OPERATORS } from '../events/pattern.js';
import type { LocalPlan } from '../plan.js';
import type { ScheduleState } from '../schedules/schedule-runner.js';
import { DEFAULT_POLLERS } from '../sqs/sqs-poller.js';
import type { BannerContribution, BannerRow } from './extension.js';

/** What the start-up banner shows. */
export interface BannerInput {
  readonly plan: LocalPlan;
  readonly url: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local EventBridge (PutEvents), which functions get as AWS_ENDPOINT_URL_EVENTBRIDGE. */
  readonly eventsEndpoint?: string;
  /** The local S3 endpoint, shown when the stack has buckets. @default not shown */
  readonly s3Endpoint?: string;
  /** The note on the concurrency limit, if it holds anything back. */
  readonly concurrencyNote?: string;
  /** What the runtime breaks on purpose (QW_FAULTS), if anything. */
  readonly faultNote?: string;
  /** The EventBridge Scheduler schedules being run, with their next firing. @default none */
  readonly schedules?: readonly ScheduleState[];
  /** Where the plan's secrets are served and kept, and the values generated at this start. */
  readonly secrets?: SecretsBanner;
  readonly contributions: readonly BannerContribution[];
}

/** The secrets' part of the banner. */
export interface SecretsBanner {
  readonly endpoint: string;
  /** The state file generated values are kept in, as the user would name it. */
  readonly file: string;
  /** Values generated at this start, by secret name: shown once, now. */
  readonly generated: readonly { readonly name: string; readonly value: string }[];
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
  const schedules = [...scheduleLines(plan), ...schedulerLines(plan, input.schedules ?? [])];
  if (schedules.length) rows.push({ label: 'Schedules', text: schedules.join('\n') });
  const rules = eventRuleLines(plan);
  if (rules.length) rows.push({ label: 'Events', text: rules.join('\n') });
  rows.push({
    label: 'SQS',
    text: `${input.sqsEndpoint} (fauxqs)   DynamoDB ${input.dynamodbEndpoint} (dynalite)${
      input.eventsEndpoint ? `\nEventBridge ${input.eventsEndpoint} (PutEvents, in process)` : ''
    }`,
  });
  if (input.secrets && plan.secrets.length) rows.push({ label: 'Secrets', text: secretLines(plan, input.secrets) });
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

/** The endpoint, then one line per secret: a value generated now is shown, once. */
function secretLines(plan: LocalPlan, secrets: SecretsBanner): string {
  const lines = [`${secrets.endpoint} (GetSecretValue); generated values are kept in ${secrets.file}`];
  for (const secret of plan.secrets) {
    const fresh = secrets.generated.find((g) => g.name === secret.name);
    if (fresh) lines.push(`${secret.name}: generated now: ${fresh.value}  (shown only this once)`);
    else
      lines.push(
        `${secret.name}: ${secret.secretString !== undefined ? "the template's value" : `as generated before`}`,
      );
  }
  return lines.join('\n');
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

/** One line per EventBridge Scheduler schedule: its name, target, expression and next firing. */
function schedulerLines(plan: LocalPlan, states: readonly ScheduleState[]): string[] {
  return plan.schedulerSchedules.map((def) => {
    const state = states.find((s) => s.logicalId === def.logicalId);
    const target =
      def.target.kind === 'sqs'
        ? `queue ${def.target.queueName}`
        : plan.functions.find((f) => f.logicalId === (def.target as { functionLogicalId: string }).functionLogicalId)
            ?.displayName;
    const zone = def.timezone === 'UTC' ? '' : ` ${def.timezone}`;
    const when = !def.enabled ? 'disabled' : state?.nextFiring ? `next ${state.nextFiring}` : 'no firing ahead';
    return `${def.name} -> ${target} on ${def.expression}${zone}, ${when}`;
  });
}

/** One line per enabled rule with an event pattern: its bus, and where it delivers. */
function eventRuleLines(plan: LocalPlan): string[] {
  return plan.eventRules
    .filter((r) => r.enabled && r.targets.length)
    .map((r) => {
      const targets = r.targets.map((t) =>
        t.kind === 'sqs'
          ? `queue ${plan.queues.find((q) => q.logicalId === t.queueLogicalId)?.name}`
          : plan.functions.find((f) => f.logicalId === t.functionLogicalId)?.displayName,
      );
      return `${r.name} on bus ${r.busName} -> ${targets.join(', ')}`;
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
  if (plan.eventRules.length) {
    notes.push(
      `Event rules match ${SUPPORTED_OPERATORS.join(', ')}; not emulated: cidr and later operators, archives and replays, target retries and DLQs, cross-account and API destination targets.`,
    );
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
