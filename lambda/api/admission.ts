/**
 * What the API checks before it submits a job: that the request is one the
 * document allows (the strict request schema of `POST /jobs`, without the
 * option its type's queue does not take), then each job type's own precheck
 * (for `image.thumbnail`, that its upload exists). Items refused here get their
 * error in place; the others go on to `submitJobs` as they came, so a batch
 * stays in request order.
 */
import type { JobType } from '../jobs/define.js';
import { ConfigError, QueueWorkersError, ServiceUnavailableError, ValidationError } from '../shared/errors.js';
import type { JobStorage } from '../shared/storage.js';
import * as z from '../shared/zod.js';
import { fieldProblems, type SubmitJobRequest, submitJobRequest } from './schemas.js';
import { optionProblem, type SubmitDeps, type SubmitResult, submitJobs } from './submit.js';

/** What admission needs: the submit dependencies and the bucket the prechecks look in. */
export type AdmissionDeps = SubmitDeps & { readonly storage?: JobStorage };

/**
 * Refuses every item that is not a valid request, then runs the precheck of
 * every remaining item whose type has one and whose payload matches its schema
 * (an unknown type or a payload that does not match is left to `submitJobs`,
 * which names it), then submits the items that passed. No precheck runs for a
 * request the document does not allow.
 */
export async function submitAdmitted(
  items: readonly unknown[],
  deps: AdmissionDeps,
  headerKey?: string,
): Promise<SubmitResult[]> {
  const refused = await Promise.all(items.map((item) => admit(item, deps)));
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

/** Why the item is refused before it is submitted; `undefined` to submit it. */
async function admit(item: unknown, deps: AdmissionDeps): Promise<QueueWorkersError | undefined> {
  const parsed = z.safeParse(submitJobRequest, item);
  if (!parsed.success) return new ValidationError('The job request is invalid.', fieldProblems(parsed.error));
  const request = parsed.data;
  const type = deps.jobTypes.find((t) => t.name === request.type);
  if (!type) return undefined;
  return optionProblem(request, type) ?? (type.precheck ? precheck(type, request, deps) : undefined);
}

/** The precheck's failure, if the item's payload matches its type's schema and fails the check. */
async function precheck(
  type: JobType,
  request: SubmitJobRequest,
  deps: AdmissionDeps,
): Promise<QueueWorkersError | undefined> {
  // As submitJobs reads it: only a payload left out is {}.
  const parsed = z.safeParse(type.payload, request.payload === undefined ? {} : request.payload);
  if (!parsed.success || !type.precheck) return undefined;
  if (!deps.storage) return new ConfigError(`Job type "${type.name}" needs the stack's bucket; the API has none.`);
  try {
    await type.precheck(parsed.data, deps.storage);
    return undefined;
  } catch (error) {
    if (error instanceof QueueWorkersError) return error;
    return new ServiceUnavailableError(`The check of a "${type.name}" job did not complete; retry the request.`, error);
  }
}
