import { describe, expect, it } from 'vitest';
import { PRICES } from '../../../bench/cost/prices.js';
import { billOf, minimalBillOf, type Roles } from '../../../bench/cost/pricing.js';
import type { OperationUsage, UsageReport } from '../../../local/core/metering/usage.js';

const op = (
  caller: string,
  service: OperationUsage['service'],
  operation: string,
  extra: Partial<OperationUsage> = {},
) => ({
  caller,
  service,
  operation,
  calls: 100,
  billedRequests: 100,
  readUnits: 0,
  writeUnits: 0,
  indexWriteUnits: 0,
  faults: 0,
  ...extra,
});

const fn = (logicalId: string, invocations: number, gbSeconds: number, logBytes = 0) => ({
  logicalId,
  displayName: logicalId,
  memoryMb: 256,
  architecture: 'arm64',
  invocations,
  billedMs: 0,
  gbSeconds,
  logEvents: 0,
  logBytes,
  platformLogEvents: 0,
  platformLogBytes: 0,
});

// 100 jobs submitted one by one, processed ten to a batch, and a scheduled sweep that ran once.
const report: UsageReport = {
  operations: [
    op('API', 'apigateway', 'REST API request'),
    op('Api', 'dynamodb', 'PutItem', { writeUnits: 100 }),
    op('Api', 'sqs', 'SendMessage'),
    op('event source q', 'sqs', 'ReceiveMessage', { calls: 10, billedRequests: 10 }),
    op('event source q', 'sqs', 'ReceiveMessage (empty)', { calls: 7, billedRequests: 7 }),
    op('event source q', 'sqs', 'DeleteMessageBatch', { calls: 10, billedRequests: 10 }),
    op('Worker', 'dynamodb', 'GetItem', { readUnits: 100 }),
    op('Worker', 'dynamodb', 'UpdateItem', { writeUnits: 100, indexWriteUnits: 20 }),
    op('Sweep', 'dynamodb', 'Query', { calls: 16, readUnits: 8 }),
  ],
  functions: [fn('Api', 100, 1), fn('Worker', 10, 0.5, 2000), fn('Sweep', 1, 0.1)],
  logs: [],
  metrics: [],
};
const roles: Roles = { workers: new Set(['Worker']), scheduled: new Set(['Sweep']) };
const perJob = (bill: ReturnType<typeof billOf>, item: string) => bill.lines.find((l) => l.item === item)?.perJob;

describe('pricing a run', () => {
  it('counts per job what the jobs used, leaving out the scheduled sweep and empty receives', () => {
    const bill = billOf(report, 100, roles);
    expect(perJob(bill, 'REST API requests')).toBe(1);
    expect(perJob(bill, 'write request units')).toBe(2.2);
    expect(perJob(bill, 'read request units')).toBe(1);
    expect(perJob(bill, 'requests (64 KB chunks)')).toBe(1.2);
    expect(perJob(bill, 'invocations')).toBe(1.1);
    expect(perJob(bill, 'GB-seconds (arm64)')).toBe(0.015);
    expect(perJob(bill, 'bytes ingested')).toBe(20);
    expect(bill.lines.find((l) => l.item === 'REST API requests')?.usdPerMillionJobs).toBeCloseTo(3.5, 10);
    expect(bill.usdPerMillionJobs).toBeCloseTo(
      bill.lines.reduce((s, l) => s + l.usdPerMillionJobs, 0),
      10,
    );
  });

  it('prices the minimal pipeline from the same run: no table, no producer function, the same receives and workers', () => {
    const minimal = minimalBillOf(report, 100, roles, 'per-job');
    expect(perJob(minimal, 'write request units')).toBe(0);
    expect(perJob(minimal, 'read request units')).toBe(0);
    expect(perJob(minimal, 'invocations')).toBe(0.1);
    expect(perJob(minimal, 'requests (64 KB chunks)')).toBe(1 + 0.2);
    expect(minimal.usdPerMillionJobs).toBeCloseTo(
      3.5 + 0.1 * 0.2 + 0.005 * PRICES.lambdaGbSecondArm.usd * 1e6 + 1.2 * 0.4,
      6,
    );
  });

  it('gives a batching minimal pipeline a tenth of the API requests and sends', () => {
    const minimal = minimalBillOf(report, 100, roles, 'ten-per-request');
    expect(perJob(minimal, 'REST API requests')).toBe(0.1);
    expect(perJob(minimal, 'requests (64 KB chunks)')).toBeCloseTo(0.3, 10);
  });

  it("prices each job event's 64 KB chunks at EventBridge's rate, beside the minimal pipeline's none", () => {
    const withEvents: UsageReport = {
      ...report,
      operations: [...report.operations, op('Worker', 'events', 'PutEvents', { calls: 100, billedRequests: 102 })],
    };

    const ours = billOf(withEvents, 100, roles);
    const minimal = minimalBillOf(withEvents, 100, roles, 'per-job');

    expect(ours.lines.find((l) => l.service === 'EventBridge')).toMatchObject({ perJob: 1.02 });
    expect(ours.usdPerMillionJobs - billOf(report, 100, roles).usdPerMillionJobs).toBeCloseTo(1.02, 10);
    expect(minimal.lines.map((l) => `${l.service}: ${l.item}`)).toEqual(
      ours.lines.map((l) => `${l.service}: ${l.item}`),
    );
    expect(perJob(minimal, 'events (64 KB chunks)')).toBe(0);
  });
});
