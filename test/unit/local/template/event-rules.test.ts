import { describe, expect, it } from 'vitest';
import { nodeFunction, planOf } from './fixtures.js';

const bus = { Type: 'AWS::Events::EventBus', Properties: { Name: 'ShopJobEvents' } };
const queue = { Type: 'AWS::SQS::Queue', Properties: {} };
const rule = (properties: Record<string, unknown>) => ({ Type: 'AWS::Events::Rule', Properties: properties });
const toQueue = { Id: 'Probe', Arn: { 'Fn::GetAtt': ['Probe', 'Arn'] } };
const toFunction = { Id: 'Fn', Arn: { 'Fn::GetAtt': ['Handler', 'Arn'] } };

describe('reading event rules', () => {
  it('reads buses and the rules on them, with queue and function targets and their inputs', () => {
    const plan = planOf({
      Bus: bus,
      Probe: queue,
      Handler: nodeFunction(),
      OnFailed: rule({
        EventBusName: { Ref: 'Bus' },
        EventPattern: { source: ['queue-workers'], 'detail-type': ['Job Failed'] },
        Targets: [
          { ...toQueue, InputTransformer: { InputPathsMap: { id: '$.detail.jobId' }, InputTemplate: '{"id": <id>}' } },
          { ...toFunction, InputPath: '$.detail' },
        ],
      }),
      OnDefault: rule({
        EventPattern: { source: ['x'] },
        State: 'DISABLED',
        Targets: [{ ...toFunction, Input: '{"a":1}' }],
      }),
    });

    expect(plan.eventBuses).toEqual([
      { logicalId: 'Bus', name: 'ShopJobEvents', arn: 'arn:aws:events:eu-west-1:000000000000:event-bus/ShopJobEvents' },
    ]);
    expect(plan.eventRules).toEqual([
      {
        logicalId: 'OnFailed',
        name: expect.any(String),
        arn: expect.stringMatching(/:rule\/ShopJobEvents\//),
        busName: 'ShopJobEvents',
        pattern: { source: ['queue-workers'], 'detail-type': ['Job Failed'] },
        enabled: true,
        targets: [
          {
            id: 'Probe',
            kind: 'sqs',
            queueLogicalId: 'Probe',
            input: { kind: 'transformer', pathsMap: { id: '$.detail.jobId' }, template: '{"id": <id>}' },
          },
          { id: 'Fn', kind: 'lambda', functionLogicalId: 'Handler', input: { kind: 'path', path: '$.detail' } },
        ],
      },
      expect.objectContaining({
        logicalId: 'OnDefault',
        busName: 'default',
        enabled: false,
        targets: [expect.objectContaining({ input: { kind: 'constant', json: '{"a":1}' } })],
      }),
    ]);
    expect(plan.schedules).toEqual([]);
    expect(plan.notes).toEqual([]);
  });

  it('resolves a Ref to a rule target queue in the local environment, so functions can be told of it', () => {
    const plan = planOf({
      Bus: bus,
      Handler: nodeFunction({
        Environment: { Variables: { BUS: { Ref: 'Bus' }, BUS_ARN: { 'Fn::GetAtt': ['Bus', 'Arn'] } } },
      }),
    });

    expect(plan.functions[0]?.environment).toEqual({
      BUS: 'ShopJobEvents',
      BUS_ARN: 'arn:aws:events:eu-west-1:000000000000:event-bus/ShopJobEvents',
    });
  });

  it('notes targets that are neither a queue nor a function, settings not emulated, and operators not implemented', () => {
    const plan = planOf({
      Bus: bus,
      Probe: queue,
      Odd: rule({
        EventBusName: { Ref: 'Bus' },
        EventPattern: { detail: { ip: [{ cidr: '10.0.0.0/8' }] } },
        Targets: [
          { Id: 'Topic', Arn: 'arn:aws:sns:eu-west-1:000000000000:t' },
          { ...toQueue, RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: { Arn: 'x' } },
        ],
      }),
      Broken: rule({ EventPattern: { source: 'not-an-array' }, Targets: [toQueue] }),
    });

    expect(plan.eventRules.find((r) => r.logicalId === 'Odd')?.targets.map((t) => t.id)).toEqual(['Probe']);
    expect(plan.notes).toEqual([
      'Rule Odd: pattern operator cidr is not emulated; conditions using it never match.',
      'Rule Odd: target Topic is not a queue or function of the stack; nothing is delivered to it.',
      "Rule Odd: target Probe's DeadLetterConfig, RetryPolicy are not emulated.",
      'Rule Broken: its event pattern never matches locally: source: a pattern value must be an array of conditions or an object.',
    ]);
  });
});
