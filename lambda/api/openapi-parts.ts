/** Pieces every operation of the OpenAPI document is made of: bodies, errors, headers, links. */
import { type JsonSchema, componentRef as ref } from './openapi-components.js';
import { type Example, VALIDATION_ERROR_EXAMPLE } from './openapi-examples.js';
import type { OperationId } from './route-table.js';

/** Examples by name, as a media type holds them. */
export type Examples = Readonly<Record<string, Example<unknown>>>;

/** A JSON body of `schema`, with its examples. */
export const jsonContent = (schema: JsonSchema, examples?: Examples) => ({
  content: { 'application/json': { schema, ...(examples ? { examples } : {}) } },
});
/** An error response: the `Error` body, described. */
export const error = (description: string, examples?: Examples) => ({
  description,
  ...jsonContent(ref('Error'), examples),
});

/** The header every 503 carries, so a client knows when to come back. */
export const retryAfter = {
  'Retry-After': {
    description: 'Seconds to wait before retrying.',
    required: true,
    schema: { type: 'integer', minimum: 0 },
  },
};

/**
 * The error responses of every route that reads a JSON body; `invalid` says
 * what makes it a 400, and `examples` shows 400s of its own beside the
 * schema violation every such route has.
 */
export const bodyErrors = (limit: number, invalid: string, examples: Examples = {}) => ({
  '400': error(invalid, { VALIDATION_ERROR: VALIDATION_ERROR_EXAMPLE, ...examples }),
  '413': error(`The body is over ${limit} bytes.`),
  '415': error('The body is not sent as application/json (or another +json type).'),
});

/**
 * Links from a response that names a job to the operations that take its id
 * and its type. The runtime expressions are the OpenAPI ones, JSON pointers
 * into the response body (`$response.body#/jobId`), the form Schemathesis and
 * other link-following tools evaluate.
 * @param at - JSON pointer to the job in the body: '' for the body itself.
 * @param job - how the descriptions name that job.
 */
export function jobLinks(at: string, job: string) {
  const link = (operationId: OperationId, parameters: Record<string, string>, description: string) => ({
    operationId,
    parameters,
    description,
  });
  return {
    GetJob: link('getJob', { 'path.jobId': `$response.body#${at}/jobId` }, `Read the status of ${job}.`),
    CancelJob: link(
      'cancelJob',
      { 'path.jobId': `$response.body#${at}/jobId` },
      `Cancel ${job}, or ask it to stop if it is running.`,
    ),
    RedriveDeadLetters: link(
      'redriveDeadLetters',
      { 'path.type': `$response.body#${at}/type` },
      `Send the dead letters of the job type of ${job} back to its queue (IAM auth only).`,
    ),
  };
}
