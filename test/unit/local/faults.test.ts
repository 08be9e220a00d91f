import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { drawInvocationFault, faultRandom, NO_FAULTS, parseFaultPlan } from '../../../local/core/faults/fault-plan.js';
import { SERVICE_FAULTS, startFaultProxy } from '../../../local/core/faults/fault-proxy.js';
import { THROWAWAY_CREDENTIALS } from '../../../local/core/local-aws.js';

describe('QW_FAULTS', () => {
  it('reads shares and a seed, leaving the rest at zero', () => {
    expect(parseFaultPlan('dynamodb=0.05, crash=0.01,seed=7')).toEqual({
      ...NO_FAULTS,
      dynamodb: 0.05,
      crash: 0.01,
      seed: 7,
    });
  });

  it.each([
    ['dynamo=0.1', '"dynamo" is not a fault; use dynamodb, sqs, crash, hang or seed.'],
    ['sqs=2', 'sqs must be a share from 0 to 1, not "2".'],
    ['crash', '"crash" is not name=value.'],
    ['seed=x', 'seed must be a whole number, not "x".'],
  ])('refuses %s, saying why', (text, problem) => {
    expect(parseFaultPlan(text)).toBe(problem);
  });

  it('draws the same faults again from the same seed, in the shares asked for', () => {
    // Prepare
    const plan = { ...NO_FAULTS, crash: 0.1, hang: 0.2 };
    const draws = (seed: number) => {
      const random = faultRandom(seed);
      return Array.from({ length: 10_000 }, () => drawInvocationFault(plan, random));
    };

    // Act
    const first = draws(42);
    const again = draws(42);

    // Assess
    expect(again).toEqual(first);
    const share = (fault: string) => first.filter((f) => f === fault).length / first.length;
    expect(share('crash')).toBeCloseTo(0.1, 1);
    expect(share('hang')).toBeCloseTo(0.2, 1);
  });
});

describe('the fault proxy', () => {
  it("answers its share of calls with the service's own errors, which the SDK sees as throttles and 500s", async () => {
    // Prepare: a stand-in DynamoDB that answers every call
    const upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end('{"TableNames":["jobs"]}');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const proxy = await startFaultProxy({
      target,
      share: 0.5,
      faults: SERVICE_FAULTS.dynamodb,
      random: faultRandom(3),
    });
    const client = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: 'us-east-1',
      credentials: { ...THROWAWAY_CREDENTIALS },
      maxAttempts: 1,
    });

    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 40; i++) {
      outcomes.push(
        await client.send(new ListTablesCommand({})).then(
          (out) => out.TableNames?.join() ?? '',
          (error: Error) => error.name,
        ),
      );
    }

    // Assess
    expect(new Set(outcomes)).toEqual(
      new Set(['jobs', 'ProvisionedThroughputExceededException', 'InternalServerError']),
    );
    expect(proxy.injected()).toBe(outcomes.filter((o) => o !== 'jobs').length);
    client.destroy();
    await proxy.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  });
});
