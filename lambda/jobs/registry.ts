import { UnknownJobTypeError } from '../shared/errors.js';
import type { JobType } from './define.js';
import { imageThumbnail } from './image-thumbnail.js';
import { simulate } from './simulate.js';
import { webhookDeliver } from './webhook-deliver.js';

/**
 * Every job type, read by the CDK app (one queue, DLQ, worker and alarm set each)
 * and by the Lambdas (routing and validation). Adding a type is one file and one line here.
 */
// biome-ignore lint/suspicious/noExplicitAny: each entry keeps its own payload type; the registry is heterogeneous.
export const jobTypes: readonly JobType<any, unknown>[] = [simulate, webhookDeliver, imageThumbnail];

/** The names clients may send as `type`. */
export const jobTypeNames: readonly string[] = jobTypes.map((t) => t.name);

/** The job type called `name`; throws {@link UnknownJobTypeError} otherwise. */
export function getJobType(name: string): JobType {
  const found = jobTypes.find((t) => t.name === name);
  if (!found) throw new UnknownJobTypeError(name, jobTypeNames);
  return found as JobType;
}
