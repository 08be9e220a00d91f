export type {
  BatchAccepted,
  CancelAsked,
  CancelledJob,
  FailedJob,
  FinishedJob,
  JobAccepted,
  JobErrorInfo,
  JobRejected,
  JobStatus,
  JobView,
  PendingJob,
  RedriveAccepted,
  ResultValue,
  SucceededJob,
} from './api-types.js';
export { JOB_STATUSES } from './api-types.js';
export type { ApiKeyAuth, AwsCredentials, CredentialsProvider, IamAuth, JobClientAuth } from './auth.js';
export { MAX_BATCH_JOBS } from './batch.js';
export type {
  CallOptions,
  JobClient,
  JobClientOptions,
  JobRef,
  RedriveOptions,
  RequestOptions,
  SubmitOptions,
} from './client.js';
export { createJobClient } from './client.js';
export type { JobApiErrorOptions } from './errors.js';
export { CLIENT_ERROR_CODES, JobApiError } from './errors.js';
export type {
  AnyJobTypes,
  BatchItem,
  FinishedJobOf,
  JobAcceptedOf,
  JobPayload,
  JobResult,
  JobTypeList,
  JobTypeName,
  JobTypeNamed,
  JobTypeShape,
  JobViewOf,
  SchemaInput,
  SubmitFields,
} from './job-types.js';
export type { RetryOptions } from './retry.js';
export type { ApiResponse, FetchLike } from './transport.js';
export type { UploadCreated, UploadOptions } from './upload.js';
export type { WaitOptions } from './wait.js';
