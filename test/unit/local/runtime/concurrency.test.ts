import { describe, expect, it } from 'vitest';
import type { EventSourceDef, FunctionDef, LocalPlan } from '../../../../local/core/plan.js';
import { concurrencyNote, environmentsOf, pollersOf } from '../../../../local/core/runtime/concurrency.js';

const fn = (logicalId: string, reservedConcurrency?: number): FunctionDef => ({
  logicalId,
  displayName: logicalId,
  functionName: logicalId,
  arn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`,
  codeDir: '/code',
  handler: 'index.handler',
  runtime: 'nodejs24.x',
  timeoutSeconds: 3,
  memoryMb: 128,
  architecture: 'x86_64',
  environment: {},
  ...(reservedConcurrency !== undefined ? { reservedConcurrency } : {}),
});

const source = (functionLogicalId: string, maxConcurrency?: number): EventSourceDef => ({
  logicalId: `${functionLogicalId}Source`,
  functionLogicalId,
  queueLogicalId: 'Queue',
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  reportBatchItemFailures: true,
  enabled: true,
  ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
});

const plan = (parts: Partial<LocalPlan>): LocalPlan => ({
  stackName: 'Shop',
  region: 'us-east-1',
  queues: [],
  tables: [],
  buckets: [],
  functions: [],
  eventSources: [],
  apis: [],
  schedules: [],
  schedulerSchedules: [],
  eventBuses: [],
  eventRules: [],
  secrets: [],
  notes: [],
  ...parts,
});

describe('concurrency of functions and pollers', () => {
  it('gives a polled function as many environments as its sources poll with, up to the limit', () => {
    // Prepare
    const p = plan({ eventSources: [source('Worker', 2), source('Worker')] });
    // Act, Assess
    expect(environmentsOf(fn('Worker'), p, { limit: 100, unpolled: 10 })).toBe(7);
    expect(environmentsOf(fn('Worker'), p, { limit: 4, unpolled: 10 })).toBe(4);
  });

  it('gives a function no source polls the unpolled number, and reserved concurrency wins over both', () => {
    // Act, Assess
    expect(environmentsOf(fn('Api'), plan({}), { limit: 100, unpolled: 10 })).toBe(10);
    expect(environmentsOf(fn('Api', 1), plan({}), { limit: 100, unpolled: 10 })).toBe(1);
  });

  it("runs an event source's maximum concurrency of pollers, 5 when unset, up to the limit", () => {
    // Act, Assess
    expect(pollersOf(source('W', 3), 8)).toBe(3);
    expect(pollersOf(source('W'), 8)).toBe(5);
    expect(pollersOf(source('W', 50), 8)).toBe(8);
  });

  it('says nothing when the limit holds nothing back', () => {
    // Act
    const note = concurrencyNote(plan({ eventSources: [source('W', 2)] }), 2, { configured: false });
    // Assess
    expect(note).toBeUndefined();
  });

  it('explains a default limit, and the setting that changes it, when an event source wants more', () => {
    // Act
    const note = concurrencyNote(plan({ eventSources: [source('W')] }), 2, {
      configured: false,
      setting: 'QW_CONCURRENCY',
    });
    // Assess
    expect(note).toBe(
      'At most 2 execution environments per function run at once locally (the number of cores, at least 2, unless QW_CONCURRENCY sets it): event sources poll with at most 2, and further API requests wait for a free environment.',
    );
  });

  it('says where a configured limit came from', () => {
    // Act
    const named = concurrencyNote(plan({ eventSources: [source('W')] }), 3, {
      configured: true,
      setting: 'QW_CONCURRENCY',
    });
    const unnamed = concurrencyNote(plan({ eventSources: [source('W')] }), 3, { configured: true });
    // Assess
    expect(named).toMatch(/^At most 3 execution environments .* \(set by QW_CONCURRENCY\):/);
    expect(unnamed).toMatch(/\(as configured\)/);
  });
});
