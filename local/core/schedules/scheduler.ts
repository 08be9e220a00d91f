import { randomUUID } from 'node:crypto';
import type { InvokeResult } from '../functions/invoke-result.js';
import { LOCAL_ACCOUNT } from '../local-aws.js';
import type { LocalPlan, ScheduleDef } from '../plan.js';
import { nextFiring, parseExpression, type Timing } from './expression.js';
import { callAt } from './timer.js';

/** What the scheduler needs from the runtime. */
export interface SchedulerDeps {
  /** Invokes a function asynchronously, as EventBridge does; the result is only logged. */
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<InvokeResult>;
  /** A line about a schedule: a firing that failed, an expression not run locally. */
  readonly log: (line: string) => void;
}

/** The event EventBridge sends a target of a scheduled rule. */
export function scheduledEvent(schedule: ScheduleDef, region: string, at: Date): Record<string, unknown> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [schedule.ruleArn],
    detail: {},
  };
}

/**
 * Runs a plan's scheduled rules as EventBridge would: every `rate()` period
 * from when the schedule is applied, or at each time of a `cron()` (in UTC),
 * each target invoked asynchronously with the scheduled event (or its constant
 * input). {@link apply} replaces the timers when the plan changes.
 */
export class RuleScheduler {
  /** The pending firing of each rule, by logical id. */
  private readonly pending = new Map<string, () => void>();

  constructor(private readonly deps: SchedulerDeps) {}

  apply(plan: LocalPlan): void {
    this.stop();
    for (const schedule of plan.schedules) {
      if (!schedule.enabled || !schedule.targets.length) continue;
      const timing = parseExpression(schedule.expression);
      if (timing.kind === 'unsupported' || timing.kind === 'at') {
        this.deps.log(
          `rule ${schedule.logicalId}: ${schedule.expression} is not run locally (only rate() and cron() are).`,
        );
        continue;
      }
      this.arm(schedule, plan.region, timing, new Date());
    }
  }

  /** Fires the rule at its next time after `from`, then arms the one after; a rate's first is one period on. */
  private arm(schedule: ScheduleDef, region: string, timing: Timing, from: Date): void {
    const next = timing.kind === 'rate' ? new Date(from.getTime() + timing.periodMs) : nextFiring(timing, from);
    if (!next) return;
    this.pending.set(
      schedule.logicalId,
      callAt(next, () => {
        this.fire(schedule, region);
        this.arm(schedule, region, timing, next);
      }),
    );
  }

  /** Invokes each target of `schedule` once, now. */
  fire(schedule: ScheduleDef, region: string): void {
    const event = scheduledEvent(schedule, region, new Date());
    for (const target of schedule.targets) {
      const payload = target.input !== undefined ? JSON.parse(target.input) : event;
      this.deps.invoke(target.functionLogicalId, payload).then(
        (result) => {
          if (!result.ok) this.deps.log(`rule ${schedule.logicalId}: ${result.errorType}: ${result.errorMessage}`);
        },
        (error: Error) => this.deps.log(`rule ${schedule.logicalId}: ${error.message}`),
      );
    }
  }

  stop(): void {
    for (const cancel of this.pending.values()) cancel();
    this.pending.clear();
  }
}
