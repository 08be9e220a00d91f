/**
 * A tally of everything an app's functions, pollers and API would be billed
 * for on AWS, kept while the local runtime runs with a meter
 * (`RuntimeOptions.meter`): calls by caller, service and operation with their
 * billed requests and capacity units, invocations with their GB-seconds, and
 * log bytes. The runtime records; pricing is the caller's business.
 */

/** The services the meter sees. */
export type MeteredService = 'apigateway' | 'sqs' | 'dynamodb' | 'events';

/** One caller's calls to one operation of one service. */
export interface OperationUsage {
  /** A function's logical id, `event source <queue>`, or `API <api>`. */
  readonly caller: string;
  readonly service: MeteredService;
  readonly operation: string;
  /** Calls answered (whatever their outcome), faults excepted. */
  readonly calls: number;
  /** What the calls are billed as: SQS counts each 64 KB chunk of a payload as a request, EventBridge as an event. */
  readonly billedRequests: number;
  /** DynamoDB read request units. */
  readonly readUnits: number;
  /** DynamoDB write request units on the table. */
  readonly writeUnits: number;
  /** DynamoDB write request units on global secondary indexes. */
  readonly indexWriteUnits: number;
  /** Calls answered with a throttle or a server error: not billed. */
  readonly faults: number;
}

/** One function's invocations and logs. */
export interface FunctionUsage {
  readonly logicalId: string;
  readonly displayName: string;
  readonly memoryMb: number;
  readonly architecture: string;
  readonly invocations: number;
  /** Sum of each invocation's duration rounded up to the millisecond, as Lambda bills it. */
  readonly billedMs: number;
  /** Billed duration times memory: what Lambda's duration charge is per. */
  readonly gbSeconds: number;
  /** Lines the function wrote, and their bytes (UTF-8, without the newline). */
  readonly logEvents: number;
  readonly logBytes: number;
  /** Lines Lambda writes for each invocation (START, END, REPORT), and their bytes. */
  readonly platformLogEvents: number;
  readonly platformLogBytes: number;
}

/** Lines written to a log group by something other than a function, such as an API's access log. */
export interface LogUsage {
  readonly source: string;
  readonly events: number;
  readonly bytes: number;
}

/** Everything the meter counted since it was created or reset. */
export interface UsageReport {
  readonly operations: readonly OperationUsage[];
  readonly functions: readonly FunctionUsage[];
  readonly logs: readonly LogUsage[];
  /**
   * The custom metrics functions created through the embedded metric format
   * (CloudWatch bills each namespace, name and dimension set by the month),
   * as `namespace/name{dimension=value,...}`.
   */
  readonly metrics: readonly string[];
}

/** What one call adds, besides itself. */
export interface CallAmounts {
  readonly billedRequests?: number;
  readonly readUnits?: number;
  readonly writeUnits?: number;
  readonly indexWriteUnits?: number;
  /** The call was answered with a fault: counted apart, not billed. */
  readonly fault?: boolean;
}

/** What the meter knows of a function. */
export interface MeteredFunction {
  readonly logicalId: string;
  readonly displayName: string;
  readonly memoryMb: number;
  readonly architecture: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Records usage as the runtime reports it. */
export class UsageMeter {
  private readonly operations = new Map<string, Mutable<OperationUsage>>();
  private readonly functions = new Map<string, Mutable<FunctionUsage>>();
  private readonly logs = new Map<string, Mutable<LogUsage>>();
  private readonly metrics = new Set<string>();
  private readonly appIds = new Map<string, string>();

  /**
   * The short id a function's SDK clients put in their user agent
   * (AWS_SDK_UA_APP_ID), by which a metering proxy knows the caller. Short,
   * because the SDK allows 50 characters and libraries append their own
   * (Powertools adds about 45).
   */
  appIdOf(logicalId: string): string {
    for (const [id, known] of this.appIds) if (known === logicalId) return id;
    const id = `f${this.appIds.size + 1}`;
    this.appIds.set(id, logicalId);
    return id;
  }

  /** The function whose app id a user agent's `app/` section starts with; undefined when none. */
  callerOfAppId(section: string): string | undefined {
    const id = /^f\d+/.exec(section)?.[0];
    return id ? this.appIds.get(id) : undefined;
  }

  /** Counts one call of `operation` by `caller`. */
  call(caller: string, service: MeteredService, operation: string, amounts: CallAmounts = {}): void {
    const key = JSON.stringify([caller, service, operation]);
    let row = this.operations.get(key);
    if (!row) {
      row = {
        caller,
        service,
        operation,
        calls: 0,
        billedRequests: 0,
        readUnits: 0,
        writeUnits: 0,
        indexWriteUnits: 0,
        faults: 0,
      };
      this.operations.set(key, row);
    }
    if (amounts.fault) {
      row.faults += 1;
      return;
    }
    row.calls += 1;
    row.billedRequests += amounts.billedRequests ?? 1;
    row.readUnits += amounts.readUnits ?? 0;
    row.writeUnits += amounts.writeUnits ?? 0;
    row.indexWriteUnits += amounts.indexWriteUnits ?? 0;
  }

  /** Counts one invocation of `fn` that took `durationMs`, with the lines Lambda logs for it. */
  invocation(fn: MeteredFunction, durationMs: number, requestId: string): void {
    const row = this.functionRow(fn);
    const billedMs = Math.max(1, Math.ceil(durationMs));
    row.invocations += 1;
    row.billedMs += billedMs;
    row.gbSeconds += (fn.memoryMb / 1024) * (billedMs / 1000);
    for (const line of platformLines(requestId, durationMs, billedMs, fn.memoryMb)) {
      row.platformLogEvents += 1;
      row.platformLogBytes += Buffer.byteLength(line, 'utf8');
    }
  }

  /** Counts a line `fn` wrote to its log. */
  functionLog(fn: MeteredFunction, line: string): void {
    const row = this.functionRow(fn);
    row.logEvents += 1;
    row.logBytes += Buffer.byteLength(line, 'utf8');
    if (line.includes('"CloudWatchMetrics"')) for (const m of emfMetrics(line)) this.metrics.add(m);
  }

  /** Counts a line written to a log group by `source` (an API's access log). */
  log(source: string, line: string): void {
    let row = this.logs.get(source);
    if (!row) {
      row = { source, events: 0, bytes: 0 };
      this.logs.set(source, row);
    }
    row.events += 1;
    row.bytes += Buffer.byteLength(line, 'utf8');
  }

  /** A copy of the counts so far. */
  report(): UsageReport {
    return {
      operations: [...this.operations.values()].map((r) => ({ ...r })),
      functions: [...this.functions.values()].map((r) => ({ ...r })),
      logs: [...this.logs.values()].map((r) => ({ ...r })),
      metrics: [...this.metrics].sort(),
    };
  }

  /** Forgets every count: what is measured next starts from zero. */
  reset(): void {
    this.operations.clear();
    this.functions.clear();
    this.logs.clear();
    this.metrics.clear();
  }

  private functionRow(fn: MeteredFunction): Mutable<FunctionUsage> {
    let row = this.functions.get(fn.logicalId);
    if (!row) {
      row = {
        ...fn,
        invocations: 0,
        billedMs: 0,
        gbSeconds: 0,
        logEvents: 0,
        logBytes: 0,
        platformLogEvents: 0,
        platformLogBytes: 0,
      };
      this.functions.set(fn.logicalId, row);
    }
    return row;
  }
}

/**
 * The lines Lambda writes to a function's log for each invocation in its Text
 * log format. Max Memory Used is not known locally; it is written with three
 * digits, as most functions' is.
 */
export function platformLines(requestId: string, durationMs: number, billedMs: number, memoryMb: number): string[] {
  return [
    `START RequestId: ${requestId} Version: $LATEST`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${billedMs} ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: 100 MB\t`,
  ];
}

/** The metrics an embedded-metric-format log line creates; none when it is not one. */
export function emfMetrics(line: string): string[] {
  type Directive = { Namespace?: string; Dimensions?: string[][]; Metrics?: { Name?: string }[] };
  let record: Record<string, unknown> & { _aws?: { CloudWatchMetrics?: Directive[] } };
  try {
    record = JSON.parse(line) as typeof record;
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const d of record._aws?.CloudWatchMetrics ?? []) {
    for (const metric of d.Metrics ?? []) {
      for (const set of d.Dimensions?.length ? d.Dimensions : [[]]) {
        const dims = set.map((name) => `${name}=${String(record[name])}`).join(',');
        found.push(`${d.Namespace ?? ''}/${metric.Name ?? ''}{${dims}}`);
      }
    }
  }
  return found;
}
