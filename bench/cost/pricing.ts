/**
 * What a run's usage costs: the meter's counts priced with {@link PRICES},
 * per job and per million jobs, and the same for the minimal pipeline the
 * counts imply (API Gateway straight to SQS, a Lambda consumer, no table).
 */
import type { UsageReport } from '../../local/core/metering/usage.js';
import { LOG_EVENT_OVERHEAD_BYTES, PRICES } from './prices.js';

/** One line of a bill: how much of something a job uses, and what a million jobs pay for it. */
export interface BillLine {
  readonly service: string;
  readonly item: string;
  readonly perJob: number;
  readonly usdPerMillionJobs: number;
}

/** A bill per million jobs. */
export interface Bill {
  readonly lines: readonly BillLine[];
  readonly usdPerMillionJobs: number;
}

/** Which functions are which, for splitting a run's usage. */
export interface Roles {
  /** Functions an SQS event source invokes: the workers. */
  readonly workers: ReadonlySet<string>;
  /** Functions whose usage follows the clock, not the jobs (a scheduled sweep): left out of per-job figures. */
  readonly scheduled: ReadonlySet<string>;
}

const GB = 1024 ** 3;
const MILLION = 1e6;

/** Usage per job of a run of `jobs` jobs, priced. */
export function billOf(report: UsageReport, jobs: number, roles: Roles): Bill {
  const perJob = (n: number) => n / jobs;
  const ops = report.operations.filter(
    (o) => !roles.scheduled.has(o.caller) && o.operation !== 'ReceiveMessage (empty)',
  );
  const fns = report.functions.filter((f) => !roles.scheduled.has(f.logicalId));
  const sum = <T>(rows: readonly T[], pick: (row: T) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const of = (service: string) => ops.filter((o) => o.service === service);
  const gbSeconds = (arch: string) =>
    sum(
      fns.filter((f) => f.architecture === arch),
      (f) => f.gbSeconds,
    );
  const logBytes =
    sum(fns, (f) => f.logBytes + f.platformLogBytes + LOG_EVENT_OVERHEAD_BYTES * (f.logEvents + f.platformLogEvents)) +
    sum(report.logs, (l) => l.bytes + LOG_EVENT_OVERHEAD_BYTES * l.events);
  return bill([
    line(
      'API Gateway',
      'REST API requests',
      perJob(sum(of('apigateway'), (o) => o.billedRequests)),
      PRICES.apiGatewayRestRequest.usd,
    ),
    line('Lambda', 'invocations', perJob(sum(fns, (f) => f.invocations)), PRICES.lambdaRequest.usd),
    line('Lambda', 'GB-seconds (arm64)', perJob(gbSeconds('arm64')), PRICES.lambdaGbSecondArm.usd),
    line('Lambda', 'GB-seconds (x86_64)', perJob(gbSeconds('x86_64')), PRICES.lambdaGbSecondX86.usd),
    line('SQS', 'requests (64 KB chunks)', perJob(sum(of('sqs'), (o) => o.billedRequests)), PRICES.sqsRequest.usd),
    line(
      'DynamoDB',
      'write request units',
      perJob(sum(of('dynamodb'), (o) => o.writeUnits + o.indexWriteUnits)),
      PRICES.dynamodbWriteUnit.usd,
    ),
    line(
      'DynamoDB',
      'read request units',
      perJob(sum(of('dynamodb'), (o) => o.readUnits)),
      PRICES.dynamodbReadUnit.usd,
    ),
    line(
      'EventBridge',
      'events (64 KB chunks)',
      perJob(sum(of('events'), (o) => o.billedRequests)),
      PRICES.eventBridgeEvent.usd,
    ),
    line('CloudWatch Logs', 'bytes ingested', perJob(logBytes), PRICES.logsIngestedGb.usd / GB),
  ]);
}

/** How the minimal pipeline takes jobs in. */
export type MinimalIntake =
  /** One API request and one SendMessage per job, as the issue defines the minimal pipeline. */
  | 'per-job'
  /** SendMessageBatch through API Gateway's SQS integration: ten jobs per request, the most one request can send. */
  | 'ten-per-request';

/**
 * The minimal pipeline, priced from the same run: API Gateway's SQS
 * integration sends each job (no producer function, no table); the same
 * receives and deletes by the same event sources; the same worker
 * invocations and GB-seconds (the same jobs in the same batches), with the
 * platform's log lines and the access log, and no log lines of its own.
 * Retries wait out the visibility timeout, and SQS moves what fails to the
 * DLQ itself, so the worker makes no SQS calls.
 */
export function minimalBillOf(report: UsageReport, jobs: number, roles: Roles, intake: MinimalIntake): Bill {
  const perJob = (n: number) => n / jobs;
  const sum = <T>(rows: readonly T[], pick: (row: T) => number) => rows.reduce((s, r) => s + pick(r), 0);
  const requestsPerJob = intake === 'per-job' ? 1 : 0.1;
  const pollerCalls = report.operations.filter(
    (o) => o.caller.startsWith('event source ') && o.operation !== 'ReceiveMessage (empty)',
  );
  const workers = report.functions.filter((f) => roles.workers.has(f.logicalId));
  const apiRequests = sum(
    report.operations.filter((o) => o.service === 'apigateway'),
    (o) => o.calls,
  );
  const accessLogBytesPerRequest = apiRequests
    ? sum(report.logs, (l) => l.bytes + LOG_EVENT_OVERHEAD_BYTES * l.events) / apiRequests
    : 0;
  const workerLogBytes = sum(workers, (f) => f.platformLogBytes + LOG_EVENT_OVERHEAD_BYTES * f.platformLogEvents);
  const gbSeconds = (arch: string) =>
    sum(
      workers.filter((f) => f.architecture === arch),
      (f) => f.gbSeconds,
    );
  return bill([
    line('API Gateway', 'REST API requests', requestsPerJob, PRICES.apiGatewayRestRequest.usd),
    line('Lambda', 'invocations', perJob(sum(workers, (f) => f.invocations)), PRICES.lambdaRequest.usd),
    line('Lambda', 'GB-seconds (arm64)', perJob(gbSeconds('arm64')), PRICES.lambdaGbSecondArm.usd),
    line('Lambda', 'GB-seconds (x86_64)', perJob(gbSeconds('x86_64')), PRICES.lambdaGbSecondX86.usd),
    line(
      'SQS',
      'requests (64 KB chunks)',
      requestsPerJob + perJob(sum(pollerCalls, (o) => o.billedRequests)),
      PRICES.sqsRequest.usd,
    ),
    line('DynamoDB', 'write request units', 0, PRICES.dynamodbWriteUnit.usd),
    line('DynamoDB', 'read request units', 0, PRICES.dynamodbReadUnit.usd),
    // The minimal pipeline announces nothing; the line keeps the two bills' lines side by side.
    line('EventBridge', 'events (64 KB chunks)', 0, PRICES.eventBridgeEvent.usd),
    line(
      'CloudWatch Logs',
      'bytes ingested',
      requestsPerJob * accessLogBytesPerRequest + perJob(workerLogBytes),
      PRICES.logsIngestedGb.usd / GB,
    ),
  ]);
}

function line(service: string, item: string, perJob: number, usdPerUnit: number): BillLine {
  return { service, item, perJob, usdPerMillionJobs: perJob * usdPerUnit * MILLION };
}

function bill(lines: BillLine[]): Bill {
  return { lines, usdPerMillionJobs: lines.reduce((s, l) => s + l.usdPerMillionJobs, 0) };
}
