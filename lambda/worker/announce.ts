import type { JobRecord } from '../shared/job.js';
import { announceFinished, type FinishedJob, type FinishedJobListener } from '../shared/job-finished.js';
import type { WorkerDeps } from './deps.js';

/**
 * Tells `listener` (job events, callbacks) of a job whose terminal write this
 * attempt won, with the record as it was read at the start, if it was.
 */
export function announce(
  listener: FinishedJobListener,
  deps: WorkerDeps,
  finished: Omit<FinishedJob, 'type' | 'finishedAt' | 'record'>,
  job: JobRecord | undefined,
): Promise<void> {
  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  const told: FinishedJob = { ...finished, type: deps.jobType.name, finishedAt, ...(job ? { record: job } : {}) };
  return announceFinished(listener, told, deps.logger);
}
