import { randomBytes } from 'node:crypto';
import type { InvokeResult } from '../functions/invoke-result.js';
import type { LocalPlan, SchedulerScheduleDef } from '../plan.js';
import type { QueueSend } from '../sqs/send-message.js';
import { nextFiring, parseExpression, scheduledTimeText, type Timing } from './expression.js';
import { callAt } from './timer.js';

/** What the schedule runner needs from the runtime. */
export interface ScheduleRunnerDeps {
  /** Invokes a function asynchronously, as Scheduler's Lambda target does; the result is only logged. */
  readonly invoke: (functionLogicalId: string, event: unknown) => Promise<InvokeResult>;
  /** Sends a message to a local queue, by name; throws when SQS refuses it. */
  readonly sendMessage: QueueSend;
  /** A line about a schedule: a firing, a delivery that failed. */
  readonly log: (line: string) => void;
  /** Milliseconds before retry `n` (from 1) of a firing SQS refused. @default 2^(n-1) s, at most 60 s */
  readonly retryDelayMs?: (retry: number) => number;
}

/** What `qw schedules` and the banner show of a schedule while the runtime runs it. */
export interface ScheduleState {
  readonly logicalId: string;
  readonly name: string;
  readonly group: string;
  readonly expression: string;
  readonly timezone: string;
  readonly enabled: boolean;
  /** ISO-8601, UTC; absent when it will not fire again (disabled, an `at()` passed, past its end date). */
  readonly nextFiring?: string;
  readonly lastFiring?: string;
}

/** A schedule being run: its definition, when it fires, and its pending timer. */
interface Running {
  readonly key: string;
  readonly def: SchedulerScheduleDef;
  readonly timing: Timing;
  /** When a rate schedule started counting: its start date, or when it was applied. */
  readonly anchor: Date;
  next?: Date;
  last?: Date;
  cancel?: () => void;
}

/**
 * Runs a plan's EventBridge Scheduler schedules as Scheduler would: at each
 * time of their cron, rate or at expression (in their timezone, between their
 * start and end dates), each firing's input sent to the target with
 * `<aws.scheduler.scheduled-time>`, `<aws.scheduler.execution-id>`,
 * `<aws.scheduler.attempt-number>` and `<aws.scheduler.schedule-arn>` filled
 * in. A message SQS refuses is retried with backoff within the retry policy,
 * then sent to the dead-letter queue. A rate starts at once, as on AWS. On a
 * reload, an unchanged schedule keeps its timing, so a rate does not fire again.
 */
export class ScheduleRunner {
  private running = new Map<string, Running>();

  constructor(private readonly deps: ScheduleRunnerDeps) {}

  apply(plan: LocalPlan): void {
    const next = new Map<string, Running>();
    const now = new Date();
    for (const def of plan.schedulerSchedules) {
      const key = JSON.stringify(def);
      const kept = this.running.get(def.logicalId);
      if (kept?.key === key) {
        next.set(def.logicalId, kept);
        continue;
      }
      kept?.cancel?.();
      const timing = parseExpression(def.expression, def.timezone);
      if (timing.kind === 'unsupported') continue;
      const anchor = def.startDate && new Date(def.startDate) > now ? new Date(def.startDate) : now;
      const run: Running = { key, def, timing, anchor };
      next.set(def.logicalId, run);
      // A rate fires at its anchor; anything else after now.
      this.arm(run, new Date(now.getTime() - 1));
    }
    for (const [id, run] of this.running) if (!next.has(id)) run.cancel?.();
    this.running = next;
  }

  /** Each schedule with its next firing, for `qw schedules` and the banner. */
  states(): ScheduleState[] {
    return [...this.running.values()].map(({ def, next, last }) => ({
      logicalId: def.logicalId,
      name: def.name,
      group: def.group,
      expression: def.expression,
      timezone: def.timezone,
      enabled: def.enabled,
      ...(next ? { nextFiring: scheduledTimeText(next) } : {}),
      ...(last ? { lastFiring: scheduledTimeText(last) } : {}),
    }));
  }

  stop(): void {
    for (const run of this.running.values()) run.cancel?.();
    this.running.clear();
  }

  /** Sets the timer of the first firing after `after`, if the schedule is enabled and not past its end. */
  private arm(run: Running, after: Date): void {
    const next = run.def.enabled ? nextFiring(run.timing, after, run.anchor) : undefined;
    const ended = next && run.def.endDate && next > new Date(run.def.endDate);
    run.next = ended ? undefined : next;
    if (!run.next) return;
    const due = run.next;
    run.cancel = callAt(due, () => {
      run.last = due;
      this.arm(run, due);
      void this.fire(run.def, due);
    });
  }

  /** Delivers one firing: retried while SQS refuses it, within the retry policy, then dead-lettered. */
  async fire(def: SchedulerScheduleDef, scheduledTime: Date): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const body = fillPlaceholders(def.input ?? '{}', def, scheduledTime, attempt);
      try {
        await this.deliver(def, body);
        return;
      } catch (error) {
        const message = (error as Error).message;
        const retries = attempt - 1;
        const delay = this.deps.retryDelayMs?.(attempt) ?? Math.min(2 ** retries * 1000, 60_000);
        if (retries < def.retry.maxAttempts && Date.now() + delay - started < def.retry.maxAgeSeconds * 1000) {
          this.deps.log(`schedule ${def.name}: delivery failed (${message}); retry ${attempt} in ${delay} ms.`);
          await new Promise((resolve) => setTimeout(resolve, delay).unref());
          continue;
        }
        await this.deadLetter(def, body, error as Error, retries);
        return;
      }
    }
  }

  private async deliver(def: SchedulerScheduleDef, body: string): Promise<void> {
    const target = def.target;
    if (target.kind === 'sqs') {
      await this.deps.sendMessage({
        queueName: target.queueName,
        body,
        ...(target.messageGroupId ? { messageGroupId: target.messageGroupId } : {}),
      });
      return;
    }
    // Scheduler invokes a function asynchronously: once Lambda took the event, the firing is delivered.
    void this.deps.invoke(target.functionLogicalId, JSON.parse(body)).then(
      (result) => {
        if (!result.ok) this.deps.log(`schedule ${def.name}: ${result.errorType}: ${result.errorMessage}`);
      },
      (error: Error) => this.deps.log(`schedule ${def.name}: ${error.message}`),
    );
  }

  private async deadLetter(def: SchedulerScheduleDef, body: string, error: Error, retries: number): Promise<void> {
    if (!def.deadLetterQueueName) {
      this.deps.log(`schedule ${def.name}: firing dropped after ${retries} retries: ${error.message}`);
      return;
    }
    try {
      await this.deps.sendMessage({
        queueName: def.deadLetterQueueName,
        body,
        attributes: {
          ERROR_CODE: error.name,
          ERROR_MESSAGE: error.message.slice(0, 1024),
          RETRY_ATTEMPTS: String(retries),
        },
      });
      this.deps.log(`schedule ${def.name}: firing sent to ${def.deadLetterQueueName} after ${retries} retries.`);
    } catch (dlqError) {
      this.deps.log(`schedule ${def.name}: firing dropped; its DLQ refused it too: ${(dlqError as Error).message}`);
    }
  }
}

/** `input` with Scheduler's context attributes filled in, as Scheduler does for each delivery. */
export function fillPlaceholders(
  input: string,
  def: Pick<SchedulerScheduleDef, 'arn'>,
  scheduledTime: Date,
  attempt: number,
): string {
  return input
    .replaceAll('<aws.scheduler.scheduled-time>', scheduledTimeText(scheduledTime))
    .replaceAll('<aws.scheduler.execution-id>', randomBytes(8).toString('hex'))
    .replaceAll('<aws.scheduler.attempt-number>', String(attempt))
    .replaceAll('<aws.scheduler.schedule-arn>', def.arn);
}
