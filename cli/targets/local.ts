import { THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { DEFAULT_STATE_FILE, isAlive, type LocalState } from '../../ops/local-state.js';
import type { ScheduleRow } from '../../ops/schedules.js';
import { callApi, jobApi } from '../api.js';
import { CliError, EXIT } from '../errors.js';
import type { Rates } from '../rates.js';
import { dataClients } from './clients.js';
import { localEventFeed } from './event-feed.js';
import { completeJobType } from './job-type.js';
import { retentionDaysOf } from './retention.js';
import type { Target } from './target.js';

const HINT = 'Start it with `npm start` (it writes .qw/local.json), or choose --target emulator or aws.';

/** True when the runtime's process exists and its dashboard API answers. */
async function answers(state: LocalState): Promise<boolean> {
  if (!isAlive(state.pid)) return false;
  return fetch(`${state.url}/ui/api/overview`, { signal: AbortSignal.timeout(5_000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/**
 * The local runtime that `state` (read from `stateFile`) describes: its API
 * unsigned, fauxqs and dynalite directly, and the rates its pollers measure.
 * NO_TARGET when there is no state or the runtime no longer answers.
 */
export async function localTarget(state: LocalState | undefined, stateFile: string | undefined): Promise<Target> {
  if (!state) throw new CliError(EXIT.NO_TARGET, `No local runtime found (${stateFile ?? DEFAULT_STATE_FILE}).`, HINT);
  if (!(await answers(state))) {
    throw new CliError(EXIT.NO_TARGET, `The local runtime at ${state.url} (pid ${state.pid}) is not running.`, HINT);
  }
  const credentials = { ...THROWAWAY_CREDENTIALS };
  // The local runtime does not check auth (its banner says so).
  const jobs = jobApi(state.url, 'none');
  const { sqs, doc, close } = dataClients(
    { region: state.region, endpoint: state.sqsEndpoint, credentials },
    state.dynamodbEndpoint,
  );
  return {
    kind: 'local',
    description: `local runtime at ${state.url} (stack ${state.stackName})`,
    region: state.region,
    stackName: state.stackName,
    sqs,
    doc,
    tableName: state.tableName,
    retentionDays: retentionDaysOf(state.retentionDays),
    types: state.types,
    ratesSource: `oldest: fauxqs's oldest SentTimestamp; jobs/s: messages the runtime's pollers deleted, last 10 s`,
    manualRedrive: true,
    jobs,
    api: (method, apiPath, body) => callApi(jobs, method, apiPath, body),
    async rates() {
      const res = await fetch(`${state.url}/ui/api/overview`);
      const data = (await res.json()) as { queues: ({ type: string } & Rates)[] };
      return new Map(data.queues.map((q) => [q.type, q]));
    },
    async schedules() {
      const res = await fetch(`${state.url}/ui/api/schedules`);
      // An older runtime without the endpoint runs no schedules qw could list.
      if (res.status === 404) return [];
      return ((await res.json()) as { schedules: ScheduleRow[] }).schedules;
    },
    events: localEventFeed(state.url),
    jobType: (name) => completeJobType(sqs, state.types, name),
    close,
  };
}
