import { randomUUID } from 'node:crypto';
import type { InvokeResult } from '../functions/invoke-result.js';
import { LOCAL_ACCOUNT } from '../local-aws.js';
import type { EventRuleDef, EventTargetDef, LocalPlan } from '../plan.js';
import type { QueueSend } from '../sqs/send-message.js';
import { type CompiledPattern, compilePattern } from './pattern.js';
import { RecentEvents } from './recent-events.js';
import { targetInput } from './target-input.js';

/** A PutEvents entry, as the AWS JSON protocol carries it (`Time` in epoch seconds). */
export interface PutEventsEntry {
  readonly Source?: string;
  readonly DetailType?: string;
  readonly Detail?: string;
  readonly EventBusName?: string;
  readonly Resources?: readonly string[];
  readonly Time?: number | string;
}

/** What PutEvents answers for one entry. */
export type PutEventsResult =
  | { readonly EventId: string }
  | { readonly ErrorCode: string; readonly ErrorMessage: string };

/** An event as EventBridge delivers it to targets. */
export interface BusEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
}

/** One target a matching rule delivered an event to, and how that went. */
export interface Delivery {
  readonly rule: string;
  readonly targetId: string;
  /** `sqs <queue name>` or `lambda <function>`. */
  readonly target: string;
  status: 'pending' | 'delivered' | 'failed';
  error?: string;
}

/** An event put on a bus, kept among the recent ones with where it went. */
export interface RoutedEvent {
  /** Increases by one per event, from 1 at start: `after` cursors for followers. */
  readonly seq: number;
  readonly busName: string;
  readonly receivedAt: string;
  readonly event: BusEvent;
  readonly deliveries: readonly Delivery[];
}

/** What the router needs from the runtime. */
export interface EventRouterDeps {
  readonly plan: () => LocalPlan;
  /** Sends a message to a local queue, by name; throws when SQS refuses it. */
  readonly sendMessage: QueueSend;
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<InvokeResult>;
  readonly log: (line: string) => void;
  /** How many events to keep. @default 500 */
  readonly keep?: number;
  readonly now?: () => Date;
}

/** EventBridge's limits on a PutEvents request. */
const MAX_ENTRIES = 10;

/**
 * The local EventBridge: takes PutEvents entries, checks them as EventBridge
 * does, matches each event against the enabled rules of its bus, and delivers
 * it to their SQS and Lambda targets (each with its input). Keeps the recent
 * events, with their deliveries, for the extensions.
 */
export class EventRouter {
  readonly recent: RecentEvents<RoutedEvent>;
  private compiled = new WeakMap<EventRuleDef, CompiledPattern>();

  constructor(private readonly deps: EventRouterDeps) {
    this.recent = new RecentEvents(deps.keep ?? 500);
  }

  /** Puts entries on their buses; one result per entry, in order. Throws a {@link PutEventsError} for the request. */
  put(entries: readonly PutEventsEntry[]): PutEventsResult[] {
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new PutEventsError('ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries.`);
    }
    return entries.map((entry) => this.putOne(entry));
  }

  private putOne(entry: PutEventsEntry): PutEventsResult {
    const plan = this.deps.plan();
    const busName = busNameOf(entry.EventBusName);
    for (const field of ['Source', 'DetailType', 'Detail'] as const) {
      if (!entry[field]) return invalid(`Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail as string);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (busName !== 'default' && !plan.eventBuses.some((b) => b.name === busName)) {
      return { ErrorCode: 'NotFoundException', ErrorMessage: `Event bus ${busName} does not exist.` };
    }
    const now = this.deps.now?.() ?? new Date();
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType as string,
      source: entry.Source as string,
      account: LOCAL_ACCOUNT,
      time: isoSeconds(timeOf(entry.Time) ?? now),
      region: plan.region,
      resources: [...(entry.Resources ?? [])],
      detail,
    };
    const deliveries = this.route(plan, busName, event, now);
    this.recent.add((seq) => ({ seq, busName, receivedAt: now.toISOString(), event, deliveries }));
    return { EventId: event.id };
  }

  /** Delivers `event` to every target of every enabled rule of its bus that matches it. */
  private route(plan: LocalPlan, busName: string, event: BusEvent, now: Date): Delivery[] {
    const deliveries: Delivery[] = [];
    for (const rule of plan.eventRules) {
      if (!rule.enabled || rule.busName !== busName || !this.patternOf(rule).matches(event)) continue;
      for (const target of rule.targets) {
        const delivery: Delivery = {
          rule: rule.name,
          targetId: target.id,
          target: describeTarget(plan, target),
          status: 'pending',
        };
        deliveries.push(delivery);
        const input = targetInput(target.input, event as unknown as Record<string, unknown>, rule, now);
        this.deliver(plan, target, input, event).then(
          () => {
            delivery.status = 'delivered';
          },
          (error: Error) => {
            delivery.status = 'failed';
            delivery.error = error.message;
            this.deps.log(`rule ${rule.name}: target ${target.id}: ${error.message}`);
          },
        );
      }
    }
    return deliveries;
  }

  private async deliver(plan: LocalPlan, target: EventTargetDef, input: string, event: BusEvent): Promise<void> {
    if (target.kind === 'sqs') {
      const queue = plan.queues.find((q) => q.logicalId === target.queueLogicalId);
      if (!queue) throw new Error(`queue ${target.queueLogicalId} is not in the plan`);
      await this.deps.sendMessage({
        queueName: queue.name,
        body: input,
        ...(target.messageGroupId ? { messageGroupId: target.messageGroupId, deduplicationId: event.id } : {}),
      });
      return;
    }
    // Lambda's asynchronous invocation: the function gets the input parsed, as EventBridge sends JSON.
    const result = await this.deps.invoke(target.functionLogicalId, parseOrText(input));
    if (!result.ok) throw new Error(`${result.errorType}: ${result.errorMessage}`);
  }

  private patternOf(rule: EventRuleDef): CompiledPattern {
    let compiled = this.compiled.get(rule);
    if (!compiled) {
      compiled = compilePattern(rule.pattern);
      this.compiled.set(rule, compiled);
    }
    return compiled;
  }
}

/** A PutEvents request refused as a whole. */
export class PutEventsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'PutEventsError';
  }
}

function invalid(message: string): PutEventsResult {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: message };
}

function busNameOf(name: string | undefined): string {
  if (!name) return 'default';
  return name.startsWith('arn:') ? (name.split(':event-bus/')[1] ?? name) : name;
}

/** The entry's `Time`: epoch seconds as the SDK sends it, or an ISO string. */
function timeOf(time: number | string | undefined): Date | undefined {
  if (time === undefined) return undefined;
  const date = typeof time === 'number' ? new Date(time * 1000) : new Date(time);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function describeTarget(plan: LocalPlan, target: EventTargetDef): string {
  if (target.kind === 'sqs') {
    return `sqs ${plan.queues.find((q) => q.logicalId === target.queueLogicalId)?.name ?? target.queueLogicalId}`;
  }
  const fn = plan.functions.find((f) => f.logicalId === target.functionLogicalId);
  return `lambda ${fn?.displayName ?? target.functionLogicalId}`;
}

function parseOrText(input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
