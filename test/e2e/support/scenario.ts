import { createJobClient, type JobClient, type JobView } from '@queue-workers/client';
import type { JobTypes } from '../../../lambda/jobs/registry.js';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../../local/core/local-aws.js';

export type { JobView } from '@queue-workers/client';

/** A parsed HTTP response. */
export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** A message found in a dead-letter queue. */
export interface DlqMessage {
  readonly body: string;
  /** String message attributes (the worker writes jobId, errorCode, errorMessage...). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Where the scenario runs: a deployed stack on the emulator, or the local runtime. */
export interface ScenarioTarget {
  /** The API base URL, without a trailing slash; routes are `${apiBase}/jobs...`. */
  readonly apiBase: string;
  /** Sign requests with SigV4 (the stack's IAM auth). */
  readonly signed: boolean;
  /** Every message currently in the DLQ of `jobType`, read without consuming it for good. */
  readDlq(jobType: string): Promise<DlqMessage[]>;
}

/** One named job of the scenario and what became of it. */
export interface JobOutcome {
  readonly jobId: string;
  readonly status: string;
  readonly attempts: number;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly result?: unknown;
}

/** Everything the scenario observed; comparable across targets once ids are mapped to names. */
export interface ScenarioOutcome {
  readonly jobs: Readonly<Record<string, JobOutcome>>;
  /** Names (keys of `jobs`) of the simulate DLQ's messages that belong to this scenario, sorted. */
  readonly dlq: readonly { readonly name: string; readonly errorMessage?: string }[];
  /** Both submissions under one Idempotency-Key. */
  readonly idempotency: {
    readonly firstStatus: number;
    readonly secondStatus: number;
    readonly sameJob: boolean;
    readonly replayedHeader: string | null;
  };
  /** The raw `POST /jobs/batch` result counts. */
  readonly batch: { readonly accepted: number; readonly rejected: number };
  readonly seconds: number;
}

/** The jobs the scenario submits, by name. */
export const SCENARIO_JOBS = {
  ok: { type: 'simulate', payload: {} },
  failTwice: { type: 'simulate', payload: { failTimes: 2 } },
  fatal: { type: 'simulate', payload: { fatal: true } },
} as const;

/** The partial batch: three that succeed at once and one that fails its first attempt. */
export const PARTIAL_BATCH = [
  { name: 'batchOk1', job: { type: 'simulate', payload: {} } },
  { name: 'batchOk2', job: { type: 'simulate', payload: { sleepMs: 50 } } },
  { name: 'batchFailOnce', job: { type: 'simulate', payload: { failTimes: 1 } } },
  { name: 'batchOk3', job: { type: 'simulate', payload: { sleepMs: 100 } } },
] as const;

/**
 * The job API as the e2e tests call it: `@queue-workers/client`, SigV4-signed
 * with the emulator's throwaway keys (ministack only checks that a signature
 * is there). `jobs` is the client typed by the registry; the other methods give
 * the raw status, headers and body that some assertions read.
 */
export class JobApiClient {
  readonly jobs: JobClient<JobTypes>;

  constructor(target: Pick<ScenarioTarget, 'apiBase' | 'signed'>) {
    this.jobs = createJobClient<JobTypes>({
      url: target.apiBase,
      auth: target.signed ? { iam: { ...THROWAWAY_CREDENTIALS }, region: LOCAL_REGION } : 'none',
    });
  }

  /** A request to the API, signed as the target wants it, with its raw status, headers and body. */
  async call<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    const res = await this.jobs.request(method, path, {
      ...(body !== undefined ? { body } : {}),
      ...(headers ? { headers } : {}),
    });
    return { status: res.status, headers: res.headers, body: res.body as T } satisfies HttpResponse<T>;
  }

  submit(job: unknown, headers?: Record<string, string>) {
    return this.call<{ jobId: string; status: string; statusUrl: string }>('POST', '/jobs', job, headers);
  }

  submitBatch(jobs: readonly unknown[]) {
    return this.call<{ accepted: number; rejected: number; results: { jobId: string }[] }>('POST', '/jobs/batch', {
      jobs,
    });
  }

  get(jobId: string) {
    return this.call<JobView>('GET', `/jobs/${encodeURIComponent(jobId)}`);
  }

  /** Follows the job with the client's `waitFor` until it is `succeeded` or `failed`. */
  waitForTerminal(jobId: string, timeoutMs = 120_000): Promise<JobView> {
    return this.jobs.waitFor(jobId, { timeoutMs });
  }
}

function outcomeOf(view: JobView): JobOutcome {
  return {
    jobId: view.jobId,
    status: view.status,
    attempts: view.attempts,
    ...(view.error ? { errorCode: view.error.code, errorMessage: view.error.message } : {}),
    ...(view.result !== undefined ? { result: view.result } : {}),
  };
}

/** Reads the DLQ until every id in `jobIds` is there (or the time is up). */
async function dlqNames(
  target: ScenarioTarget,
  names: ReadonlyMap<string, string>,
  expected: readonly string[],
  timeoutMs: number,
): Promise<{ name: string; errorMessage?: string }[]> {
  const deadline = Date.now() + timeoutMs;
  const found = new Map<string, { name: string; errorMessage?: string }>();
  do {
    for (const message of await target.readDlq('simulate')) {
      let jobId = message.attributes.jobId;
      try {
        jobId ??= (JSON.parse(message.body) as { jobId?: string }).jobId;
      } catch {
        // Not a job envelope; not ours.
      }
      const name = jobId ? names.get(jobId) : undefined;
      if (name) {
        const errorMessage = message.attributes.errorMessage;
        found.set(name, { name, ...(errorMessage !== undefined ? { errorMessage } : {}) });
      }
    }
    if (expected.every((n) => found.has(n))) break;
    await new Promise((r) => setTimeout(r, 500));
  } while (Date.now() < deadline);
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The scenario issue 5 names, against any target: single jobs that succeed,
 * retry, and fail fatally; a partial batch; a repeated idempotency key. It
 * submits everything first and then waits, so retries overlap.
 */
export async function runScenario(target: ScenarioTarget, timeoutMs = 180_000): Promise<ScenarioOutcome> {
  const started = Date.now();
  const api = new JobApiClient(target);
  const ids = new Map<string, string>();

  // Typed submissions: a failure rejects with a JobApiError that says what the API answered.
  for (const [name, job] of Object.entries(SCENARIO_JOBS)) {
    ids.set(name, (await api.jobs.submit(job.type, job.payload)).jobId);
  }

  const batch = await api.jobs.submitBatch(PARTIAL_BATCH.map((b) => b.job));
  PARTIAL_BATCH.forEach((b, i) => {
    const result = batch.results[i];
    if (!result || !('jobId' in result)) {
      throw new Error(`POST /jobs/batch did not accept ${b.name}: ${JSON.stringify(result)}`);
    }
    ids.set(b.name, result.jobId);
  });

  // Raw calls here: the outcome compares the statuses and the replay header themselves.
  // A fresh key per run: on a reused emulator an old job under the same key would answer instead.
  const key = `e2e-${started.toString(36)}-${Math.random().toString(36).slice(2)}`;
  const first = await api.submit({ type: 'simulate', payload: { sleepMs: 10 } }, { 'Idempotency-Key': key });
  const second = await api.submit({ type: 'simulate', payload: { sleepMs: 10 } }, { 'Idempotency-Key': key });
  ids.set('idempotent', first.body.jobId);

  const jobs: Record<string, JobOutcome> = {};
  await Promise.all(
    [...ids].map(async ([name, jobId]) => {
      jobs[name] = outcomeOf(await api.waitForTerminal(jobId, timeoutMs));
    }),
  );
  const names = new Map([...ids].map(([name, id]) => [id, name]));
  const expectedInDlq = Object.entries(jobs)
    .filter(([, j]) => j.status === 'failed')
    .map(([name]) => name);
  const dlq = await dlqNames(target, names, expectedInDlq, 30_000);

  return {
    jobs,
    dlq,
    idempotency: {
      firstStatus: first.status,
      secondStatus: second.status,
      sameJob: first.body.jobId === second.body.jobId,
      replayedHeader: second.headers.get('idempotent-replayed'),
    },
    batch: { accepted: batch.accepted, rejected: batch.rejected },
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * The parts of an outcome that must match between two targets: per named job,
 * status, attempts and error; the DLQ's contents by job name; idempotency.
 */
export function comparable(outcome: ScenarioOutcome) {
  return {
    jobs: Object.fromEntries(
      Object.entries(outcome.jobs)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, j]) => [
          name,
          { status: j.status, attempts: j.attempts, errorCode: j.errorCode, result: j.result },
        ]),
    ),
    dlq: outcome.dlq,
    idempotency: outcome.idempotency,
    batch: outcome.batch,
  };
}
