import type { BatchAccepted, CancelAsked, JobAccepted, JobView, RedriveAccepted } from './api-types.js';
import { authorizer, type JobClientAuth } from './auth.js';
import { type SubmitBody, submitBody, submitInChunks } from './batch.js';
import { CLIENT_ERROR_CODES, errorFromResponse, JobApiError } from './errors.js';
import type {
  AnyJobTypes,
  BatchItem,
  FinishedJobOf,
  JobPayload,
  JobTypeList,
  JobTypeName,
  JobViewOf,
  SubmitFields,
} from './job-types.js';
import { type RetryOptions, retryPolicy } from './retry.js';
import { type ApiResponse, createTransport, type FetchLike, type Transport } from './transport.js';
import { type UploadCreated, type UploadOptions, uploadFile } from './upload.js';
import { pollUntilFinished, type WaitOptions } from './wait.js';

/** Options of {@link createJobClient}. */
export interface JobClientOptions {
  /**
   * The job API's base URL: the stack output `ApiUrl` (with its stage, e.g.
   * `https://abc.execute-api.eu-west-1.amazonaws.com/v1/`), or `http://127.0.0.1:3000`
   * for `npm start`.
   */
  readonly url: string;
  /** SigV4 (`{ iam, region }`), an API key (`{ apiKey }`), or `'none'`, as the stack was deployed. */
  readonly auth: JobClientAuth;
  /**
   * Retries of requests that are safe to repeat: reads, and submissions (which always carry an idempotency key).
   * `false` sends every request once.
   * @default { retries: 3, baseDelayMs: 100, maxDelayMs: 5000 }
   */
  readonly retry?: RetryOptions | false;
  /**
   * How long one attempt may take before it counts as failed (and is retried where that is safe), in
   * milliseconds; 0 leaves it to the platform (undici waits 300 s for headers, a browser for ever), which
   * saves the abort signal each request otherwise carries (about 15 µs of CPU per request on Node).
   * @default 30000
   */
  readonly timeoutMs?: number;
  /**
   * The `fetch` to call.
   * @default globalThis.fetch
   */
  readonly fetch?: FetchLike;
}

/** Options every call takes. */
export interface CallOptions {
  /** Aborts the call, rejecting with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Options of `submit`. */
export interface SubmitOptions extends SubmitFields, CallOptions {}

/** Options of `redrive`. */
export interface RedriveOptions extends CallOptions {
  /** Messages per second SQS moves back (1-500). @default SQS's own rate */
  readonly maxPerSecond?: number;
}

/** Options of `request`. */
export interface RequestOptions extends CallOptions {
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Whether the request may be retried (it cannot do anything twice).
   * @default true for GET, false otherwise
   */
  readonly idempotent?: boolean;
}

/** A job to follow: a submission's answer, or any object with its id and type. */
export interface JobRef<N extends string = string> {
  readonly jobId: string;
  readonly type: N;
}

/**
 * A producer's view of the job API, typed by the registry `T`
 * (`createJobClient<typeof jobTypes>`): type names, payloads and results are
 * checked by the compiler. Without `T`, any type name and payload are accepted.
 */
export interface JobClient<T extends JobTypeList = AnyJobTypes> {
  /** The API's base URL, without a trailing slash. */
  readonly url: string;
  /**
   * Submits one job: `POST /jobs`. Resolves with the API's `202` body. The
   * request carries an idempotency key (`options.idempotencyKey`, or one made
   * up), so the client's retries never queue the job twice.
   */
  submit<N extends JobTypeName<T>>(
    type: N,
    payload: JobPayload<T, N>,
    options?: SubmitOptions,
  ): Promise<JobAccepted<N>>;
  /**
   * Submits many jobs: `POST /jobs/batch`, 100 at a time. One result per item,
   * in order: the accepted body, or `{ error, idempotencyKey }`. Rejects only when aborted.
   */
  submitBatch(items: readonly BatchItem<T>[], options?: CallOptions): Promise<BatchAccepted<JobTypeName<T>>>;
  /** Reads a job of type `type`: `GET /jobs/{jobId}`. A job of another type is a `TYPE_MISMATCH` error. */
  get<N extends JobTypeName<T>>(type: N, jobId: string, options?: CallOptions): Promise<JobViewOf<T, N>>;
  /** Reads a job of any type: narrow the view on `type`, then on `status`. */
  get(jobId: string, options?: CallOptions): Promise<JobViewOf<T>>;
  /**
   * Reads the job until it is `succeeded` or `failed`, and resolves with that
   * view. Pass a submission's answer to get its type's result type.
   */
  waitFor<N extends JobTypeName<T> = JobTypeName<T>>(
    job: string | JobRef<N>,
    options?: WaitOptions<JobViewOf<T, N>>,
  ): Promise<FinishedJobOf<T, N>>;
  /**
   * Cancels a job: `POST /jobs/{jobId}/cancel`. A queued or retrying job is
   * `cancelled` at once (the view); a running one is asked to stop (the view,
   * `cancelRequested`, and a message) and ends `cancelled` if its handler
   * stops. A finished job is a `JOB_FINISHED` error. Safe to repeat.
   */
  cancel(jobId: string, options?: CallOptions): Promise<JobViewOf<T> | CancelAsked<JobTypeName<T>>>;
  /**
   * Sends the type's dead-letter queue back to its queue: `POST /dlq/{type}/redrive`.
   * Deployed only with IAM auth. Sent once: it is not idempotent.
   */
  redrive<N extends JobTypeName<T>>(type: N, options?: RedriveOptions): Promise<RedriveAccepted<N>>;
  /**
   * Uploads a file straight to the stack's bucket through `POST /uploads` and
   * its presigned S3 form; resolves with its `key` for a job (`image.thumbnail`).
   */
  upload(file: Blob | Uint8Array, options: UploadOptions): Promise<UploadCreated>;
  /**
   * Any route of the API, signed like the rest; resolves with the response
   * whatever its status. For what the methods above do not cover.
   */
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
}

/** The JSON object of a 2xx response; the API's error otherwise. */
function okBody(res: ApiResponse, what: string): Record<string, unknown> {
  if (res.status < 200 || res.status > 299) throw errorFromResponse(res.status, res.body, res.requestId);
  if (typeof res.body !== 'object' || res.body === null) {
    throw new JobApiError(CLIENT_ERROR_CODES.INVALID_RESPONSE, `${what} answered ${res.status} without a JSON body.`, {
      status: res.status,
      body: res.body,
      ...(res.requestId ? { requestId: res.requestId } : {}),
    });
  }
  return res.body as Record<string, unknown>;
}

const signalOf = (options: CallOptions | undefined) => (options?.signal ? { signal: options.signal } : {});

async function readJob(send: Transport, jobId: string, type: string | undefined, signal?: AbortSignal) {
  const path = `/jobs/${encodeURIComponent(jobId)}`;
  const res = await send({ method: 'GET', path, idempotent: true, ...(signal ? { signal } : {}) });
  const view = okBody(res, `GET ${path}`) as unknown as JobView;
  if (type !== undefined && view.type !== type) {
    throw new JobApiError(CLIENT_ERROR_CODES.TYPE_MISMATCH, `Job ${jobId} is a ${view.type} job, not ${type}.`, {
      status: res.status,
      details: { jobId, type: view.type, expected: type },
      body: res.body,
    });
  }
  return view;
}

/** What the client does, without the registry's types: {@link JobClient} states those over the same methods. */
interface UntypedJobClient {
  readonly url: string;
  submit(type: string, payload: unknown, options?: SubmitOptions): Promise<JobAccepted>;
  submitBatch(items: readonly BatchItem<AnyJobTypes>[], options?: CallOptions): Promise<BatchAccepted>;
  get(first: string, second?: string | CallOptions, third?: CallOptions): Promise<JobView>;
  waitFor(job: string | JobRef, options?: WaitOptions): Promise<JobView>;
  cancel(jobId: string, options?: CallOptions): Promise<JobView | CancelAsked>;
  redrive(type: string, options?: RedriveOptions): Promise<RedriveAccepted>;
  upload(file: Blob | Uint8Array, options: UploadOptions): Promise<UploadCreated>;
  request(method: string, path: string, options?: RequestOptions): Promise<ApiResponse>;
}

/** The client's methods over one transport. */
function untypedClient(url: string, send: Transport, fetchFn: FetchLike): UntypedJobClient {
  return {
    url,
    async submit(type, payload, options) {
      const body: SubmitBody = submitBody(type, payload, options);
      const res = await send({ method: 'POST', path: '/jobs', body, idempotent: true, ...signalOf(options) });
      return okBody(res, 'POST /jobs') as unknown as JobAccepted;
    },
    submitBatch(items, options) {
      const bodies = items.map((item) => submitBody(item.type, item.payload, item));
      return submitInChunks(send, bodies, options?.signal);
    },
    get(first, second, third) {
      return typeof second === 'string'
        ? readJob(send, second, first, third?.signal)
        : readJob(send, first, undefined, second?.signal);
    },
    waitFor(job, options = {}) {
      const [jobId, type] = typeof job === 'string' ? [job, undefined] : [job.jobId, job.type];
      return pollUntilFinished(jobId, (signal) => readJob(send, jobId, type, signal), options);
    },
    async cancel(jobId, options) {
      const path = `/jobs/${encodeURIComponent(jobId)}/cancel`;
      // Repeating a cancel changes nothing more: safe to retry.
      const res = await send({ method: 'POST', path, idempotent: true, ...signalOf(options) });
      return okBody(res, `POST ${path}`) as unknown as JobView | CancelAsked;
    },
    async redrive(type, options) {
      const path = `/dlq/${encodeURIComponent(type)}/redrive`;
      const body = options?.maxPerSecond !== undefined ? { maxPerSecond: options.maxPerSecond } : {};
      const res = await send({ method: 'POST', path, body, idempotent: false, ...signalOf(options) });
      return okBody(res, `POST ${path}`) as unknown as RedriveAccepted;
    },
    upload(file, options) {
      return uploadFile(send, fetchFn, file, options, okBody);
    },
    request(method, path, options = {}) {
      return send({
        method,
        path,
        ...(options.body !== undefined ? { body: options.body } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        idempotent: options.idempotent ?? method === 'GET',
        ...signalOf(options),
      });
    },
  };
}

/**
 * A client for the job API at `options.url`. Pass the registry's type to have
 * every call checked against it; a type-only import brings none of the
 * registry's code along:
 *
 * ```ts
 * import type { jobTypes } from '../lambda/jobs/registry.js';
 * const jobs = createJobClient<typeof jobTypes>({ url, auth: 'none' });
 * const { jobId } = await jobs.submit('simulate', { sleepMs: 100 });
 * ```
 */
export function createJobClient<T extends JobTypeList = AnyJobTypes>(options: JobClientOptions): JobClient<T> {
  const url = new URL(options.url).toString().replace(/\/+$/, '');
  // Called through a wrapper: a browser's fetch refuses to run detached from the window.
  const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const send = createTransport({
    baseUrl: url,
    authorize: authorizer(options.auth),
    fetch: fetchFn,
    retry: retryPolicy(options.retry),
    timeoutMs: options.timeoutMs ?? 30_000,
    random: Math.random,
  });
  // The methods are the same for every registry; only their types differ, which the interface states.
  return untypedClient(url, send, fetchFn) as unknown as JobClient<T>;
}
