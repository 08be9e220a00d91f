import { DEFAULT_RETENTION_DAYS } from '../../lambda/shared/config.js';

/**
 * The job retention a target reports (the stack output `JobRetentionDays`, or
 * the local runtime's state file): a whole number of days, else the default
 * the stack is deployed with when it says nothing, so older stacks keep working.
 */
export function retentionDaysOf(reported: unknown): number {
  const days = typeof reported === 'string' && reported.trim() !== '' ? Number(reported) : reported;
  return typeof days === 'number' && Number.isInteger(days) && days > 0 ? days : DEFAULT_RETENTION_DAYS;
}
