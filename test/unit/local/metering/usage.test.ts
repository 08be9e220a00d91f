import { describe, expect, it } from 'vitest';
import { emfMetrics, platformLines, UsageMeter } from '../../../../local/core/metering/usage.js';

const fn = { logicalId: 'WorkerFn', displayName: 'Worker', memoryMb: 512, architecture: 'arm64' };

describe('UsageMeter', () => {
  it('adds calls up by caller, service and operation, with their billed requests and units', () => {
    const meter = new UsageMeter();
    meter.call('WorkerFn', 'dynamodb', 'UpdateItem', { writeUnits: 1, indexWriteUnits: 1 });
    meter.call('WorkerFn', 'dynamodb', 'UpdateItem', { writeUnits: 2 });
    meter.call('WorkerFn', 'sqs', 'SendMessage', { billedRequests: 4 });
    expect(meter.report().operations).toEqual([
      expect.objectContaining({
        operation: 'UpdateItem',
        calls: 2,
        billedRequests: 2,
        writeUnits: 3,
        indexWriteUnits: 1,
      }),
      expect.objectContaining({ operation: 'SendMessage', calls: 1, billedRequests: 4 }),
    ]);
  });

  it('counts a call answered with a fault apart, unbilled', () => {
    const meter = new UsageMeter();
    meter.call('WorkerFn', 'sqs', 'SendMessage', { fault: true });
    expect(meter.report().operations[0]).toMatchObject({ calls: 0, billedRequests: 0, faults: 1 });
  });

  it('bills invocations by the millisecond, rounded up, times memory, with the START, END and REPORT lines', () => {
    const meter = new UsageMeter();
    meter.invocation(fn, 10.2, 'req-1');
    meter.invocation(fn, 0.3, 'req-2');
    const [row] = meter.report().functions;
    expect(row).toMatchObject({ invocations: 2, billedMs: 12, platformLogEvents: 6 });
    expect(row?.gbSeconds).toBeCloseTo(0.5 * 0.012, 10);
    const lines = platformLines('req-1', 10.2, 11, 512);
    expect(row?.platformLogBytes).toBe(
      lines.reduce((s, l) => s + Buffer.byteLength(l), 0) + platformLines('req-2', 0.3, 1, 512).join('').length,
    );
  });

  it('counts log lines in UTF-8 bytes and the custom metrics their EMF directives create', () => {
    const meter = new UsageMeter();
    meter.functionLog(fn, 'é');
    const emf = JSON.stringify({
      _aws: {
        Timestamp: 1,
        CloudWatchMetrics: [
          { Namespace: 'QW', Dimensions: [['type']], Metrics: [{ Name: 'succeeded' }, { Name: 'failed' }] },
        ],
      },
      type: 'simulate',
      succeeded: 1,
      failed: 0,
    });
    meter.functionLog(fn, emf);
    expect(meter.report().functions[0]).toMatchObject({ logEvents: 2, logBytes: 2 + Buffer.byteLength(emf) });
    expect(meter.report().metrics).toEqual(['QW/failed{type=simulate}', 'QW/succeeded{type=simulate}']);
    expect(emfMetrics('not json')).toEqual([]);
  });

  it('gives each function a short app id and knows it back with what libraries append', () => {
    const meter = new UsageMeter();
    const id = meter.appIdOf('SimulateWorkerFunction6FB672A1');
    expect(id.length).toBeLessThanOrEqual(4);
    expect(meter.appIdOf('SimulateWorkerFunction6FB672A1')).toBe(id);
    expect(meter.callerOfAppId(`${id}-PT-NO-OP-2.36.0-PTEnv-AWS_Lambda_nodejs24.x`)).toBe(
      'SimulateWorkerFunction6FB672A1',
    );
    expect(meter.callerOfAppId('someone-else')).toBeUndefined();
  });

  it('starts from zero after a reset', () => {
    const meter = new UsageMeter();
    meter.call('a', 'apigateway', 'REST API request');
    meter.log('API access log', 'line');
    meter.reset();
    expect(meter.report()).toEqual({ operations: [], functions: [], logs: [], metrics: [] });
  });
});
