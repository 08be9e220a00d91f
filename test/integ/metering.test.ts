/**
 * The local runtime's usage meter counts every request a job makes, as AWS
 * would bill it, on the real stack: the API request and its access log line,
 * the producer's DynamoDB write and SQS send, the poller's receive and delete,
 * the worker's read and write, the invocations with their platform log lines,
 * and the index writes of a job that runs long enough to hold a lease.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, UsageMeter, type UsageReport } from '../../local/index.js';
import { apiClient, startFixtureRuntime, waitFor } from './helpers.js';

const meter = new UsageMeter();
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;
let ids: { api: string; worker: string; queue: string };

beforeAll(async () => {
  runtime = await startFixtureRuntime({ meter });
  api = apiClient(runtime);
  const plan = runtime.plan();
  const fn = (name: string) => plan.functions.find((f) => f.displayName.endsWith(name))?.logicalId as string;
  const queue = plan.queues.find((q) => q.name.endsWith('-simulate'))?.name as string;
  ids = { api: fn('Api'), worker: fn('SimulateWorker'), queue: `event source ${queue}` };
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
});

/** Submits one job and waits, without asking the API (which would be counted), until the poller deleted it. */
async function oneJob(payload: Record<string, unknown>): Promise<UsageReport> {
  meter.reset();
  await api.submit({ type: 'simulate', payload });
  return waitFor(
    async () => meter.report(),
    (r) => r.operations.some((o) => o.caller === ids.queue && o.operation === 'DeleteMessageBatch'),
    { timeoutMs: 30_000, what: 'the job to be processed and deleted' },
  );
}

function calls(report: UsageReport, caller: string) {
  return report.operations
    .filter((o) => o.caller === caller && o.operation !== 'ReceiveMessage (empty)')
    .map(({ service, operation, calls, billedRequests, readUnits, writeUnits, indexWriteUnits }) => ({
      service,
      operation,
      calls,
      billedRequests,
      readUnits,
      writeUnits,
      indexWriteUnits,
    }))
    .sort((a, b) => a.operation.localeCompare(b.operation));
}

const call = (service: string, operation: string, units: Partial<Record<string, number>> = {}) => ({
  service,
  operation,
  calls: 1,
  billedRequests: 1,
  readUnits: 0,
  writeUnits: 0,
  indexWriteUnits: 0,
  ...units,
});

describe('the usage meter', () => {
  it('counts what a short keyed job that succeeds costs: two DynamoDB writes, two reads, three SQS requests, one job event', async () => {
    const report = await oneJob({});

    // The client sends an idempotency key: the key is looked up (one strongly consistent read), the message sent,
    // then the record written with a conditional PutItem, one write unit.
    expect(calls(report, ids.api)).toEqual([
      call('dynamodb', 'GetItem', { readUnits: 1 }),
      call('dynamodb', 'PutItem', { writeUnits: 1 }),
      call('sqs', 'SendMessageBatch'),
    ]);
    expect(calls(report, ids.worker)).toEqual([
      call('dynamodb', 'GetItem', { readUnits: 1 }),
      call('events', 'PutEvents'),
      call('dynamodb', 'UpdateItem', { writeUnits: 1 }),
    ]);
    expect(calls(report, ids.queue)).toEqual([call('sqs', 'DeleteMessageBatch'), call('sqs', 'ReceiveMessage')]);
    expect(report.operations.filter((o) => o.service === 'apigateway').map((o) => o.calls)).toEqual([1]);
    expect(report.logs).toEqual([expect.objectContaining({ events: 1 })]);
    const invocations = Object.fromEntries(report.functions.map((f) => [f.logicalId, f]));
    expect(invocations[ids.api]).toMatchObject({ invocations: 1, platformLogEvents: 3, architecture: 'arm64' });
    expect(invocations[ids.worker]).toMatchObject({ invocations: 1, platformLogEvents: 3 });
    expect(invocations[ids.worker]?.gbSeconds).toBeGreaterThan(0);
  });

  it('counts the lease of a job that runs past markRunningAfterSeconds: running, then two index writes', async () => {
    const report = await oneJob({ sleepMs: 1500 });

    const updates = calls(report, ids.worker).find((c) => c.operation === 'UpdateItem');
    // running (enters the lease index), then succeeded (leaves it).
    expect(updates).toMatchObject({ calls: 2, writeUnits: 2, indexWriteUnits: 2 });
  });
});
