/**
 * The API's operations, declared once. The router (`routes.ts`) binds each to
 * its handler, the CDK construct (`lib/job-api.ts`) deploys one API Gateway
 * method per entry, and the OpenAPI document (`openapi.ts`) describes each
 * under its path. This module imports nothing, so the CDK app reads it without
 * pulling in handler code.
 */

/** One operation of the API. */
export interface ApiRoute {
  /** The OpenAPI operationId, and the key of its handler in the router. */
  readonly operationId: string;
  readonly method: 'GET' | 'POST';
  /** The API Gateway resource path, with `{param}` segments. */
  readonly path: string;
  /** Deployed only with IAM auth: operators' actions, never open to API-key or anonymous callers. */
  readonly iamOnly?: boolean;
}

/** Every operation the API serves; anything else is answered 404/405 by the function. */
export const API_ROUTES = [
  { operationId: 'submitJob', method: 'POST', path: '/jobs' },
  { operationId: 'submitJobs', method: 'POST', path: '/jobs/batch' },
  { operationId: 'getJob', method: 'GET', path: '/jobs/{jobId}' },
  { operationId: 'cancelJob', method: 'POST', path: '/jobs/{jobId}/cancel' },
  { operationId: 'createUpload', method: 'POST', path: '/uploads' },
  { operationId: 'redriveDeadLetters', method: 'POST', path: '/dlq/{type}/redrive', iamOnly: true },
] as const satisfies readonly ApiRoute[];

/** The name of one of the API's operations. */
export type OperationId = (typeof API_ROUTES)[number]['operationId'];
