/**
 * `GET /jobs/{id}`'s view of a job: the public fields, with a result the
 * claim check stored read back (or, beyond {@link MAX_VIEW_RESULT_BYTES}, a
 * presigned URL in its place), then shown as its job type presents it, with
 * download URLs minted now rather than stored.
 */
import type { JobType, ResultLinks } from '../jobs/define.js';
import type { ClaimCheck } from '../shared/claim-check.js';
import type { ApiConfig } from '../shared/config.js';
import { ServiceUnavailableError } from '../shared/errors.js';
import { type JobRecord, type JobView, toJobView } from '../shared/job.js';
import type { JobStorage } from '../shared/storage.js';
import { presignDownload } from './presign.js';

/**
 * Largest stored result answered inline: Lambda returns at most 6 MB, and the
 * result goes out as a JSON string inside the proxy response, its quotes escaped.
 */
export const MAX_VIEW_RESULT_BYTES = 4 * 1024 * 1024;

/** A job as `GET /jobs/{id}` answers it. */
export type JobViewWithLinks = JobView & { readonly resultUrl?: string };

/** What the view needs. */
export interface ViewDeps {
  readonly config: ApiConfig;
  readonly jobTypes: readonly JobType[];
  readonly claimCheck?: ClaimCheck;
  readonly storage?: JobStorage;
}

/** The job's view; S3 not answering is a 503, as the table not answering is. */
export async function viewJob(record: JobRecord, deps: ViewDeps): Promise<JobViewWithLinks> {
  const view = toJobView(record);
  const { storage } = deps;
  const seconds = deps.config.storage?.downloadUrlSeconds;
  if (view.result === undefined || !storage || seconds === undefined) return view;
  const links: ResultLinks = { downloadUrl: (key) => presignDownload(storage, key, seconds) };
  try {
    let result: unknown = view.result;
    const ref = deps.claimCheck?.resultRefOf(record.jobId, result);
    if (ref && ref.bytes > MAX_VIEW_RESULT_BYTES) {
      const { result: _stored, ...rest } = view;
      return { ...rest, resultUrl: await links.downloadUrl(ref.key) };
    }
    if (ref && deps.claimCheck) result = await deps.claimCheck.readResult(ref);
    const type = deps.jobTypes.find((t) => t.name === record.type);
    if (type?.presentResult && record.status === 'succeeded') result = await type.presentResult(result, links);
    return { ...view, result };
  } catch (error) {
    throw new ServiceUnavailableError("S3 did not return the job's result; retry the request.", error);
  }
}
