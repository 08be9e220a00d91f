import { UnknownJobTypeError } from '../shared/errors.js';
import type { JobType } from './define.js';
import { imageThumbnail } from './image-thumbnail.js';
import { simulate } from './simulate.js';
import { webhookDeliver } from './webhook-deliver.js';

/**
 * Every job type, read by the CDK app (one queue, DLQ, worker and alarm set each)
 * and by the Lambdas (routing and validation). Adding a type is one file and one line here.
 *
 * `as const` keeps each entry's literal name, schema and result type: a producer
 * derives its types from `typeof jobTypes` with a type-only import, which
 * brings no code of this module into its bundle. Code that holds every type in
 * one list reads it as `readonly JobType[]`.
 */
export const jobTypes = [simulate, webhookDeliver, imageThumbnail] as const;

/** The registry's type, for `createJobClient<JobTypes>()` in `@queue-workers/client`. */
export type JobTypes = typeof jobTypes;

/** The names clients may send as `type`. */
export const jobTypeNames: readonly string[] = jobTypes.map((t) => t.name);

/** The job type called `name`; throws {@link UnknownJobTypeError} otherwise. */
export function getJobType(name: string): JobType {
  const found = jobTypes.find((t) => t.name === name);
  if (!found) throw new UnknownJobTypeError(name, jobTypeNames);
  return found;
}
