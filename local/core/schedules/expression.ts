/**
 * EventBridge's schedule expressions (`rate()`, `cron()`, and Scheduler's
 * `at()`), read into when they fire. Cron expressions are handed to croner,
 * which knows AWS's six fields once a seconds field is put in front: its
 * Quartz weekday numbering (1 = Sunday) and `?`, `L`, `W` and `#`. Also used by
 * `qw schedules` for the next firing on AWS.
 */
import { Cron } from 'croner';
import { ratePeriodMs } from './rate.js';

/** When a schedule fires. */
export type Timing =
  | { readonly kind: 'rate'; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly cron: Cron }
  | { readonly kind: 'at'; readonly at: Date };

/** An expression the runtime cannot run, and why. */
export interface UnsupportedExpression {
  readonly kind: 'unsupported';
  readonly reason: string;
}

/** croner's options for AWS's cron: seconds and year fields, 1 = Sunday, and both day fields must match. */
const CRON_OPTIONS = {
  paused: true,
  mode: '7-part',
  alternativeWeekdays: true,
  // AWS sets `?` in one day field, which matches every day: AND with the other is the AWS meaning.
  domAndDow: true,
  // AWS writes a step from a start as `0/15`, which croner takes only with this.
  sloppyRanges: true,
} as const;

/**
 * croner's pattern for the inside of an AWS `cron(...)`: a seconds field in
 * front, and `L` alone in day-of-week (the week's last day) as `7`, Saturday.
 */
export function cronerPattern(awsCron: string): string {
  const fields = awsCron.trim().split(/\s+/);
  if (fields[4]?.toUpperCase() === 'L') fields[4] = '7';
  return `0 ${fields.join(' ')}`;
}

/**
 * When `expression` fires, read in `timezone` (IANA; UTC by default), or why
 * it cannot be run: an unknown form, or a cron croner refuses.
 */
export function parseExpression(expression: string, timezone = 'UTC'): Timing | UnsupportedExpression {
  const text = expression.trim();
  const periodMs = ratePeriodMs(text);
  if (periodMs !== undefined) return { kind: 'rate', periodMs };
  const match = /^(cron|at)\((.*)\)$/.exec(text);
  try {
    if (match?.[1] === 'cron') {
      if ((match[2] ?? '').trim().split(/\s+/).length !== 6) throw new Error('a cron expression has six fields');
      const cron = new Cron(cronerPattern(match[2] ?? ''), { ...CRON_OPTIONS, timezone });
      cron.nextRun(); // croner checks the timezone only when it computes a time
      return { kind: 'cron', cron };
    }
    if (match?.[1] === 'at' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(match[2] ?? '')) {
      const at = new Cron(match[2] ?? '', { paused: true, timezone }).nextRun(new Date(0));
      if (at) return { kind: 'at', at };
    }
  } catch (error) {
    return { kind: 'unsupported', reason: `${expression}: ${(error as Error).message}` };
  }
  return { kind: 'unsupported', reason: `${expression} is not a rate(), cron() or at() expression.` };
}

/**
 * The first firing strictly after `after`. A rate fires at `anchor` (when it
 * was created, or its start date), then every period; an `at()` once.
 */
export function nextFiring(timing: Timing, after: Date, anchor: Date = after): Date | undefined {
  switch (timing.kind) {
    case 'rate': {
      if (anchor.getTime() > after.getTime()) return anchor;
      const periods = Math.floor((after.getTime() - anchor.getTime()) / timing.periodMs) + 1;
      return new Date(anchor.getTime() + periods * timing.periodMs);
    }
    case 'cron':
      return timing.cron.nextRun(after) ?? undefined;
    case 'at':
      return timing.at.getTime() > after.getTime() ? timing.at : undefined;
  }
}

/** A time as Scheduler's `<aws.scheduler.scheduled-time>` writes it: ISO-8601 in UTC, to the second. */
export function scheduledTimeText(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
