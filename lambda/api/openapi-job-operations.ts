/** The operations on one job: read it, cancel it. */
import { type JsonSchema, componentRef as ref } from './openapi-components.js';
import {
  CANCEL_ASKED_EXAMPLE,
  JOB_CANCELLED_EXAMPLE,
  JOB_FINISHED_EXAMPLE,
  JOB_VIEW_EXAMPLES,
  NOT_FOUND_EXAMPLE,
} from './openapi-examples.js';
import { error, jobLinks, jsonContent, retryAfter } from './openapi-parts.js';

/** The `{jobId}` path parameter. */
const JOB_ID_PARAMETER = {
  name: 'jobId',
  in: 'path',
  required: true,
  description: 'The id `POST /jobs` answered. No job has an id over 255 characters.',
  schema: { type: 'string' },
};

/** `GET /jobs/{jobId}`. */
export function getJobOperation(): JsonSchema {
  const links = jobLinks('', 'this job');
  return {
    summary: "A job's status, attempts, progress, result or error.",
    description:
      'A result too large for the job table was stored in S3 and is read back here. One over 4 MiB is not inlined: ' +
      '`resultUrl`, a presigned GET valid for an hour, stands in its place. Download URLs in a result (thumbnails) are minted at each read.',
    parameters: [
      JOB_ID_PARAMETER,
      {
        name: 'consistent',
        in: 'query',
        required: false,
        description:
          'true: a strongly consistent read, which sees every write before it. Otherwise the read is eventually consistent (at half the cost), and may be a second behind.',
        schema: { type: 'string', enum: ['true', 'false'] },
      },
    ],
    responses: {
      '200': {
        description: 'The job.',
        ...jsonContent(ref('Job'), JOB_VIEW_EXAMPLES),
        links: { RedriveDeadLetters: links.RedriveDeadLetters },
      },
      '400': error('`consistent` is neither "true" nor "false".'),
      '404': error('No job has this id (or it expired after its retention).', { NOT_FOUND: NOT_FOUND_EXAMPLE }),
      '503': { ...error('The job store did not answer; retry the request.'), headers: retryAfter },
    },
  };
}

/** `POST /jobs/{jobId}/cancel`. */
export function cancelJobOperation(): JsonSchema {
  return {
    summary: 'Cancel a job that has not finished.',
    description:
      "A `queued` or `retrying` job becomes `cancelled` at once: no attempt starts after that, and a worker acknowledges its message without running it. A `running` job is asked to stop: its handler's `ctx.signal` fires with a `CancelledError`, and the job ends `cancelled` if the handler stops (cooperative). Cancelling a cancelled job again is a 200.",
    parameters: [JOB_ID_PARAMETER],
    responses: {
      '200': {
        description: 'The job is cancelled.',
        ...jsonContent(ref('Job'), { cancelled: JOB_CANCELLED_EXAMPLE }),
        links: { GetJob: jobLinks('', 'this job').GetJob },
      },
      '202': {
        description: 'The job is running; it was asked to stop, and ends `cancelled` if it does.',
        ...jsonContent(ref('CancelAsked'), { asked: CANCEL_ASKED_EXAMPLE }),
        links: { GetJob: jobLinks('', 'this job').GetJob },
      },
      '404': error('No job has this id (or it expired after its retention).', { NOT_FOUND: NOT_FOUND_EXAMPLE }),
      '409': error('The job has already succeeded or failed; `details.status` says which.', {
        JOB_FINISHED: JOB_FINISHED_EXAMPLE,
      }),
      '503': { ...error('The job store did not answer; retry the request.'), headers: retryAfter },
    },
  };
}
