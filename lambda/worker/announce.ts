import type { JobOrigin, JobRecord } from '../shared/job.js';
import { announceFinished, type FinishedJob, type FinishedJobListener } from '../shared/job-finished.js';
import type { WorkerDeps } from './deps.js';

/**
 * Tells `listener` (job events, callbacks) of a job whose terminal write this
 * attempt won, with the record as it was read at the start, if it was, and
 * the origin its message carried, if the API sent it.
 */
export function announce(
  listener: FinishedJobListener,
  deps: WorkerDeps,
  finished: Omit<FinishedJob, 'type' | 'finishedAt' | 'record' | 'origin'>,
  job: JobRecord | undefined,
  origin: JobOrigin | undefined,
): Promise<void> {
  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  const told: FinishedJob = {
    ...finished,
    type: deps.jobType.name,
    finishedAt,
    ...(job ? { record: job } : {}),
    ...(origin ? { origin } : {}),
  };
  return announceFinished(listener, told, deps.logger);
}
