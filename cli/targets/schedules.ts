import { SchedulerClient, type SchedulerClientConfig } from '@aws-sdk/client-scheduler';
import { listGroupSchedules, type ScheduleRow } from '../../ops/schedules.js';
import { fromAwsError } from '../errors.js';

/**
 * The schedules of a deployed stack's group, from EventBridge Scheduler's API
 * (ListSchedules, then GetSchedule each); none when the stack has no group.
 */
export async function deployedSchedules(
  config: SchedulerClientConfig,
  group: string | undefined,
): Promise<readonly ScheduleRow[]> {
  if (!group) return [];
  const scheduler = new SchedulerClient(config);
  try {
    return await listGroupSchedules(scheduler, group);
  } catch (error) {
    throw fromAwsError(error, `Listing the schedules of group ${group}`);
  } finally {
    scheduler.destroy();
  }
}
