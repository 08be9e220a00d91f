import { describe, expect, it } from 'vitest';
import type { CfnResource } from '../../../../local/core/template/cfn.js';
import { nodeFunction, planOf } from './fixtures.js';

const base = {
  Orders: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders' } },
  Worker: nodeFunction({}, 'Shop/Worker/Resource'),
};

function mapping(properties: Record<string, unknown>): CfnResource {
  return {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: {
      EventSourceArn: { 'Fn::GetAtt': ['Orders', 'Arn'] },
      FunctionName: { Ref: 'Worker' },
      ...properties,
    },
  };
}

describe('reading event sources', () => {
  it('polls an SQS queue for a function with its batch size, window, maximum concurrency and partial batch responses', () => {
    // Act
    const plan = planOf({
      ...base,
      Mapping: mapping({
        BatchSize: 25,
        MaximumBatchingWindowInSeconds: 2,
        ScalingConfig: { MaximumConcurrency: 3 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      }),
    });
    // Assess
    expect(plan.eventSources).toEqual([
      {
        logicalId: 'Mapping',
        functionLogicalId: 'Worker',
        queueLogicalId: 'Orders',
        batchSize: 25,
        maxBatchingWindowSeconds: 2,
        maxConcurrency: 3,
        reportBatchItemFailures: true,
        enabled: true,
      },
    ]);
  });

  it("takes Lambda's defaults: batches of 10, no window, no maximum, whole-batch failures", () => {
    // Act
    const [source] = planOf({ ...base, Mapping: mapping({}) }).eventSources;
    // Assess
    expect(source).toEqual({
      logicalId: 'Mapping',
      functionLogicalId: 'Worker',
      queueLogicalId: 'Orders',
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      reportBatchItemFailures: false,
      enabled: true,
    });
  });

  it('finds the function by its ARN as well as by its name', () => {
    // Act
    const [source] = planOf({
      ...base,
      Mapping: mapping({ FunctionName: { 'Fn::GetAtt': ['Worker', 'Arn'] } }),
    }).eventSources;
    // Assess
    expect(source?.functionLogicalId).toBe('Worker');
  });

  it('keeps a disabled mapping, marked disabled', () => {
    // Act
    const [source] = planOf({ ...base, Mapping: mapping({ Enabled: false }) }).eventSources;
    // Assess
    expect(source?.enabled).toBe(false);
  });
});

describe('reading event sources that are not polled as declared', () => {
  it('ignores a source that is not an SQS queue of the stack, and notes it', () => {
    // Act
    const plan = planOf({
      ...base,
      Stream: { Type: 'AWS::Kinesis::Stream' },
      Mapping: mapping({ EventSourceArn: { 'Fn::GetAtt': ['Stream', 'Arn'] } }),
    });
    // Assess
    expect(plan.eventSources).toEqual([]);
    expect(plan.notes).toEqual([
      'Event source Mapping: only SQS sources of local functions are polled; this one is ignored.',
    ]);
  });

  it('notes that FilterCriteria are not applied', () => {
    // Act
    const plan = planOf({ ...base, Mapping: mapping({ FilterCriteria: { Filters: [{ Pattern: '{}' }] } }) });
    // Assess
    expect(plan.eventSources).toHaveLength(1);
    expect(plan.notes).toEqual(['Event source Mapping: FilterCriteria are not applied locally.']);
  });
});
