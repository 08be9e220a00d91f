/**
 * What the API checks before it accepts a job beyond the payload's schema:
 * each job type's own precheck (for `image.thumbnail`, that its upload
 * exists). Items that fail get their error in place; the others go on to
 * `submitJobs` as they came, so a batch stays in request order.
 */
import type { JobType } from '../jobs/define.js';
import { ConfigError, QueueWorkersError, ServiceUnavailableError } from '../shared/errors.js';
import type { JobStorage } from '../shared/storage.js';
import * as z from '../shared/zod.js';
import { type SubmitDeps, type SubmitResult, submitJobs } from './submit.js';

/** What admission needs: the submit dependencies and the bucket the prechecks look in. */
export type AdmissionDeps = SubmitDeps & { readonly storage?: JobStorage };

/**
 * Runs the precheck of every item whose type has one and whose payload
 * matches its schema (the others are left to `submitJobs`, which reports their
 * problems), then submits the items that passed.
 */
export async function submitAdmitted(
  items: readonly unknown[],
  deps: AdmissionDeps,
  headerKey?: string,
): Promise<SubmitResult[]> {
  const refused = await Promise.all(items.map((item) => precheck(item, deps)));
  const passing = items.filter((_, i) => refused[i] === undefined);
  const submitted = passing.length > 0 ? await submitJobs(passing, deps, headerKey) : [];
  let next = 0;
  return items.map((_, i): SubmitResult => {
    const error = refused[i];
    if (error) return { ok: false, error };
    const result = submitted[next++];
    if (!result) throw new Error('submitJobs returned fewer results than items');
    return result;
  });
}

/** The item's precheck failure, if it has a precheck and fails it. */
async function precheck(item: unknown, deps: AdmissionDeps): Promise<QueueWorkersError | undefined> {
  if (typeof item !== 'object' || item === null) return undefined;
  const { type: name, payload } = item as { type?: unknown; payload?: unknown };
  const type: JobType | undefined = deps.jobTypes.find((t) => t.name === name);
  if (!type?.precheck) return undefined;
  const parsed = z.safeParse(type.payload, payload ?? {});
  if (!parsed.success) return undefined;
  if (!deps.storage) return new ConfigError(`Job type "${type.name}" needs the stack's bucket; the API has none.`);
  try {
    await type.precheck(parsed.data, deps.storage);
    return undefined;
  } catch (error) {
    if (error instanceof QueueWorkersError) return error;
    return new ServiceUnavailableError(`The check of a "${type.name}" job did not complete; retry the request.`, error);
  }
}
