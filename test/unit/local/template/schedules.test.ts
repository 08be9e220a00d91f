import { describe, expect, it } from 'vitest';
import { nodeFunction, planOf } from './fixtures.js';

const rule = (properties: Record<string, unknown>) => ({ Type: 'AWS::Events::Rule', Properties: properties });
const target = { Id: 'Target0', Arn: { 'Fn::GetAtt': ['Handler', 'Arn'] } };

describe('reading scheduled rules', () => {
  it('gives each scheduled rule its expression, ARN, state and the local functions it invokes', () => {
    // Act
    const plan = planOf({
      Handler: nodeFunction(),
      Every: rule({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED', Targets: [target] }),
      Off: rule({
        ScheduleExpression: 'rate(5 minutes)',
        State: 'DISABLED',
        Targets: [{ ...target, Input: '{"a":1}' }],
      }),
    });

    // Assess
    expect(plan.schedules).toEqual([
      {
        logicalId: 'Every',
        ruleArn: expect.stringMatching(/^arn:aws:events:[a-z0-9-]+:000000000000:rule\//),
        expression: 'rate(1 minute)',
        enabled: true,
        targets: [{ functionLogicalId: 'Handler' }],
      },
      expect.objectContaining({
        logicalId: 'Off',
        enabled: false,
        targets: [{ functionLogicalId: 'Handler', input: '{"a":1}' }],
      }),
    ]);
    expect(plan.notes).toEqual([]);
  });

  it('leaves rules that match events to the event rules, and notes targets that are not local functions', () => {
    const plan = planOf({
      Handler: nodeFunction(),
      Pattern: rule({ EventPattern: { source: ['x'] }, Targets: [target] }),
      ToQueue: rule({ ScheduleExpression: 'rate(1 hour)', Targets: [{ Id: 'Q', Arn: 'arn:aws:sqs:us-east-1:1:q' }] }),
    });

    expect(plan.schedules.map((s) => [s.logicalId, s.targets])).toEqual([['ToQueue', []]]);
    expect(plan.eventRules.map((r) => r.logicalId)).toEqual(['Pattern']);
    expect(plan.notes).toEqual(['Rule ToQueue: target Q is not a local function; it is not invoked.']);
  });
});
