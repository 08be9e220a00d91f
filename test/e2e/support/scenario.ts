import type { JobView } from '../../../lambda/shared/job.js';
import { signedFetch } from './signed-fetch.js';

export type { JobView } from '../../../lambda/shared/job.js';

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

/** A small client for the job API. */
export class JobApiClient {
  constructor(private readonly target: Pick<ScenarioTarget, 'apiBase' | 'signed'>) {}

  /** A signed request to the API: a POST of `body` when given, else a GET. */
  call<T>(path: string, body?: unknown, headers?: Record<string, string>) {
    return signedFetch<T>(`${this.target.apiBase}${path}`, {
      ...(body !== undefined ? { body } : {}),
      ...(headers ? { headers } : {}),
      unsigned: !this.target.signed,
    });
  }

  submit(job: unknown, headers?: Record<string, string>) {
    return this.call<{ jobId: string; status: string; statusUrl: string }>('/jobs', job, headers);
  }

  submitBatch(jobs: readonly unknown[]) {
    return this.call<{ accepted: number; rejected: number; results: { jobId: string }[] }>('/jobs/batch', { jobs });
  }

  get(jobId: string) {
    return this.call<JobView>(`/jobs/${encodeURIComponent(jobId)}`);
  }

  /** Polls `GET /jobs/{id}` until the job is `succeeded` or `failed`. */
  async waitForTerminal(jobId: string, timeoutMs = 120_000): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    let last: JobView | undefined;
    while (Date.now() < deadline) {
      const res = await this.get(jobId);
      if (res.status !== 200) throw new Error(`GET /jobs/${jobId} answered ${res.status}: ${JSON.stringify(res.body)}`);
      last = res.body;
      if (last.status === 'succeeded' || last.status === 'failed') return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`Job ${jobId} was not finished after ${timeoutMs / 1000} s; last seen ${JSON.stringify(last)}.`);
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

function expectAccepted(res: { status: number; body: unknown }, what: string): void {
  if (res.status !== 202) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
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

  for (const [name, job] of Object.entries(SCENARIO_JOBS)) {
    const res = await api.submit(job);
    expectAccepted(res, `POST /jobs (${name})`);
    ids.set(name, res.body.jobId);
  }

  const batch = await api.submitBatch(PARTIAL_BATCH.map((b) => b.job));
  expectAccepted(batch, 'POST /jobs/batch');
  PARTIAL_BATCH.forEach((b, i) => {
    const jobId = batch.body.results[i]?.jobId;
    if (!jobId) throw new Error(`POST /jobs/batch did not accept ${b.name}: ${JSON.stringify(batch.body.results[i])}`);
    ids.set(b.name, jobId);
  });

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
    batch: { accepted: batch.body.accepted, rejected: batch.body.rejected },
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
