/** The tables `npm run bench:cost` prints. */
import type { LocalPlan, UsageReport } from '../../local/index.js';
import { IDLE_RECEIVES_PER_EVENT_SOURCE_MONTH, LOG_EVENT_OVERHEAD_BYTES, PRICES, PRICES_READ_ON } from './prices.js';
import { type Bill, billOf, type MinimalIntake, minimalBillOf, type Roles } from './pricing.js';

/** One measured run. */
export interface RunResult {
  readonly name: string;
  readonly mode: 'single' | 'batch';
  readonly jobs: number;
  readonly seconds: number;
  readonly report: UsageReport;
}

/** The goals of the cost issue, as ratios and per-job figures. */
export const GOALS = {
  singleRatio: 1.3,
  batchRatio: 1.5,
  batchSqsRequestsPerJob: 1.3,
  logBytesPerSuccessfulJob: 150,
  writesPerSuccessfulJob: 2,
} as const;

const SERVICE_NAMES: Record<string, string> = { apigateway: 'API Gateway', sqs: 'SQS', dynamodb: 'DynamoDB' };
const SECONDS_A_MONTH = 30 * 24 * 3600;

const fixed = (n: number, digits: number) => n.toFixed(digits);
const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
const pad = (s: string, n: number) => s.padEnd(n);
const num = (s: string, n: number) => s.padStart(n);

/** Per job figures of a run: what the goals are about. */
export function keyFigures(r: RunResult, roles: Roles) {
  const ops = r.report.operations.filter((o) => !roles.scheduled.has(o.caller));
  const perJob = (n: number) => n / r.jobs;
  const sum = <T>(rows: readonly T[], pick: (row: T) => number) => rows.reduce((s, x) => s + pick(x), 0);
  const dynamo = ops.filter((o) => o.service === 'dynamodb');
  const sqs = ops.filter((o) => o.service === 'sqs' && o.operation !== 'ReceiveMessage (empty)');
  const fns = r.report.functions.filter((f) => !roles.scheduled.has(f.logicalId));
  return {
    writeUnits: perJob(sum(dynamo, (o) => o.writeUnits + o.indexWriteUnits)),
    indexWriteUnits: perJob(sum(dynamo, (o) => o.indexWriteUnits)),
    readUnits: perJob(sum(dynamo, (o) => o.readUnits)),
    sqsRequests: perJob(sum(sqs, (o) => o.billedRequests)),
    appLogBytes: perJob(sum(fns, (f) => f.logBytes)),
    appLogLines: perJob(sum(fns, (f) => f.logEvents)),
    platformLogBytes: perJob(sum(fns, (f) => f.platformLogBytes)),
    accessLogBytes: perJob(sum(r.report.logs, (l) => l.bytes)),
  };
}

/** Prints one run: requests per job by caller and operation, the bill beside the minimal pipeline's, the goals. */
export function printRun(r: RunResult, roles: Roles, names: ReadonlyMap<string, string>): void {
  console.log(`\n== ${r.name}: ${r.jobs} jobs, settled in ${fixed(r.seconds, 1)} s ==`);
  console.log(
    'Requests per job (the reconciler, a scheduled sweep, and empty receives follow the clock: see fixed costs)',
  );
  console.log(
    `  ${pad('service', 12)}${pad('operation', 26)}${pad('caller', 34)}${num('calls', 8)}${num('billed', 9)}${num('WRU', 8)}${num('RRU', 8)}`,
  );
  const rows = [...r.report.operations]
    .filter((o) => !roles.scheduled.has(o.caller) && o.operation !== 'ReceiveMessage (empty)')
    .sort((a, b) => a.service.localeCompare(b.service) || a.caller.localeCompare(b.caller));
  for (const o of rows) {
    const caller = names.get(o.caller) ?? o.caller;
    console.log(
      `  ${pad(SERVICE_NAMES[o.service] ?? o.service, 12)}${pad(o.operation, 26)}${pad(caller.slice(0, 33), 34)}` +
        `${num(fixed(o.calls / r.jobs, 3), 8)}${num(fixed(o.billedRequests / r.jobs, 3), 9)}` +
        `${num(fixed((o.writeUnits + o.indexWriteUnits) / r.jobs, 3), 8)}${num(fixed(o.readUnits / r.jobs, 3), 8)}`,
    );
  }
  for (const f of r.report.functions.filter((x) => !roles.scheduled.has(x.logicalId))) {
    console.log(
      `  ${pad('Lambda', 12)}${pad('Invoke', 26)}${pad((names.get(f.logicalId) ?? f.logicalId).slice(0, 33), 34)}` +
        `${num(fixed(f.invocations / r.jobs, 3), 8)}  ${fixed(f.gbSeconds / r.jobs, 5)} GB-s, ` +
        `${fixed(f.logBytes / r.jobs, 0)} B logged + ${fixed(f.platformLogBytes / r.jobs, 0)} B START/END/REPORT`,
    );
  }
  const ours = billOf(r.report, r.jobs, roles);
  const minimal = minimalBillOf(r.report, r.jobs, roles, 'per-job');
  printBills(ours, minimal);
  const ratio = ours.usdPerMillionJobs / minimal.usdPerMillionJobs;
  const goal = r.mode === 'single' ? GOALS.singleRatio : GOALS.batchRatio;
  console.log(
    `  ratio to the minimal pipeline (one API request and one SendMessage a job): ${fixed(ratio, 2)}x; goal <= ${goal}x: ${met(ratio <= goal)}`,
  );
  if (r.mode === 'batch') printStricter(r, roles, ours);
  const k = keyFigures(r, roles);
  console.log(
    `  DynamoDB: ${fixed(k.writeUnits, 3)} write units a job (${fixed(k.indexWriteUnits, 3)} on indexes), ${fixed(k.readUnits, 3)} read units\n` +
      `  SQS: ${fixed(k.sqsRequests, 3)} requests a job${r.mode === 'batch' ? `; goal <= ${GOALS.batchSqsRequestsPerJob}: ${met(k.sqsRequests <= GOALS.batchSqsRequestsPerJob)}` : ''}\n` +
      `  Logs: ${fixed(k.appLogBytes, 1)} B a job from the functions (${fixed(k.appLogLines, 3)} lines), ` +
      `${fixed(k.platformLogBytes, 1)} B of Lambda's START/END/REPORT, ${fixed(k.accessLogBytes, 1)} B of access log; ` +
      `+${LOG_EVENT_OVERHEAD_BYTES} B an event billed as an upper bound`,
  );
  if (r.name.includes('every job succeeds')) {
    console.log(
      `  A job that succeeds first time: ${fixed(k.writeUnits, 2)} DynamoDB writes (goal <= ${GOALS.writesPerSuccessfulJob}: ${met(k.writeUnits <= GOALS.writesPerSuccessfulJob + 1e-9)}), ` +
        `${fixed(k.appLogBytes, 1)} B logged at the default level (goal <= ${GOALS.logBytesPerSuccessfulJob}: ${met(k.appLogBytes <= GOALS.logBytesPerSuccessfulJob)})`,
    );
  }
}

function printBills(ours: Bill, minimal: Bill): void {
  console.log(`Cost per million jobs, us-east-1 list prices read ${PRICES_READ_ON} (bench/cost/prices.ts)`);
  console.log(
    `  ${pad('', 44)}${num('ours/job', 12)}${num('ours $/M', 10)}${num('minimal/job', 13)}${num('minimal $/M', 12)}`,
  );
  ours.lines.forEach((l, i) => {
    const m = minimal.lines[i];
    if (!m || (l.perJob === 0 && m.perJob === 0)) return;
    const digits = l.item.startsWith('bytes') ? 1 : 4;
    console.log(
      `  ${pad(`${l.service}: ${l.item}`, 44)}${num(fixed(l.perJob, digits), 12)}${num(fixed(l.usdPerMillionJobs, 4), 10)}` +
        `${num(fixed(m.perJob, digits), 13)}${num(fixed(m.usdPerMillionJobs, 4), 12)}`,
    );
  });
  console.log(
    `  ${pad('total', 44)}${num('', 12)}${num(fixed(ours.usdPerMillionJobs, 2), 10)}${num('', 13)}${num(fixed(minimal.usdPerMillionJobs, 2), 12)}`,
  );
}

/** Batch mode against a table-less pipeline that batches too: ten jobs a request, as SendMessageBatch allows. */
function printStricter(r: RunResult, roles: Roles, ours: Bill): void {
  const intake: MinimalIntake = 'ten-per-request';
  const stricter = minimalBillOf(r.report, r.jobs, roles, intake);
  console.log(
    `  against a table-less pipeline that batches too (API Gateway -> SendMessageBatch, 10 jobs a request): ` +
      `$${fixed(stricter.usdPerMillionJobs, 2)}/M, ratio ${fixed(ours.usdPerMillionJobs / stricter.usdPerMillionJobs, 2)}x ` +
      '(the job table is the difference: status, idempotency, crash recovery)',
  );
}

/** Prints what the stack costs a month whatever the load: the scheduled sweep, idle polling, alarms, dashboards, metrics. */
export function printFixedCosts(
  reports: readonly UsageReport[],
  seconds: number,
  roles: Roles,
  plan: LocalPlan,
  template: { readonly alarms: number; readonly dashboards: number },
): void {
  console.log('\n== Fixed monthly costs (30 days), whatever the load ==');
  for (const id of roles.scheduled) {
    const fns = reports.flatMap((r) => r.functions.filter((f) => f.logicalId === id));
    const ops = reports.flatMap((r) => r.operations.filter((o) => o.caller === id));
    const invocations = fns.reduce((s, f) => s + f.invocations, 0);
    const name = plan.functions.find((f) => f.logicalId === id)?.displayName ?? id;
    if (!invocations) {
      console.log(`  ${name}: did not run during the ${fixed(seconds, 0)} s measured; not priced`);
      continue;
    }
    const runsAMonth = runsPerMonth(plan, id);
    const each = (n: number) => n / invocations;
    const usd =
      runsAMonth *
      (PRICES.lambdaRequest.usd +
        each(fns.reduce((s, f) => s + f.gbSeconds, 0)) * PRICES.lambdaGbSecondArm.usd +
        each(ops.reduce((s, o) => s + o.readUnits, 0)) * PRICES.dynamodbReadUnit.usd +
        each(ops.reduce((s, o) => s + o.writeUnits + o.indexWriteUnits, 0)) * PRICES.dynamodbWriteUnit.usd +
        (each(
          fns.reduce(
            (s, f) =>
              s + f.logBytes + f.platformLogBytes + LOG_EVENT_OVERHEAD_BYTES * (f.logEvents + f.platformLogEvents),
            0,
          ),
        ) *
          PRICES.logsIngestedGb.usd) /
          1024 ** 3);
    console.log(
      `  ${pad(name, 44)}$${fixed(usd, 2)} (${runsAMonth} runs; each ${fixed(each(ops.reduce((s, o) => s + o.readUnits, 0)), 1)} RRU in ${fixed(each(ops.reduce((s, o) => s + o.calls, 0)), 0)} calls, ` +
        `${fixed(each(fns.reduce((s, f) => s + f.logBytes + f.platformLogBytes, 0)), 0)} B of logs)`,
    );
  }
  const sources = plan.eventSources.length;
  console.log(
    `  ${pad(`idle polling by ${sources} event sources`, 44)}$${fixed(sources * IDLE_RECEIVES_PER_EVENT_SOURCE_MONTH * PRICES.sqsRequest.usd, 2)} ` +
      `(at most ${IDLE_RECEIVES_PER_EVENT_SOURCE_MONTH} empty receives each)`,
  );
  console.log(`  ${pad(`${template.alarms} alarms`, 44)}$${fixed(template.alarms * PRICES.alarmMonth.usd, 2)}`);
  console.log(
    `  ${pad(`${template.dashboards} dashboards`, 44)}$${fixed(template.dashboards * PRICES.dashboardMonth.usd, 2)} (the first 3 of an account are free)`,
  );
  const metrics = new Set(reports.flatMap((r) => r.metrics));
  console.log(
    `  ${pad(`${metrics.size} custom metrics (embedded metric format)`, 44)}$${fixed(metrics.size * PRICES.customMetricMonth.usd, 2)} (seen in this workload; each job type adds its own)`,
  );
}

/** Runs a month of a function's schedule: `rate(N unit)`; cron expressions count once a day. */
function runsPerMonth(plan: LocalPlan, functionId: string): number {
  const schedule = plan.schedules.find((s) => s.targets.some((t) => t.functionLogicalId === functionId));
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule?.expression ?? '');
  if (!rate) return 30;
  const unit = rate[2]?.startsWith('minute') ? 60 : rate[2]?.startsWith('hour') ? 3600 : 86400;
  return Math.round(SECONDS_A_MONTH / (Number(rate[1]) * unit));
}
