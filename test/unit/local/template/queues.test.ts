import { describe, expect, it } from 'vitest';
import { planOf } from './fixtures.js';

describe('reading queues', () => {
  it('passes the queue properties that are CreateQueue attributes, as text, and nothing else', () => {
    // Prepare
    const resources = {
      Orders: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'orders',
          VisibilityTimeout: 30,
          DelaySeconds: 2,
          MessageRetentionPeriod: 345600,
          SqsManagedSseEnabled: true,
          Tags: [{ Key: 'team', Value: 'shop' }],
        },
      },
    };
    // Act
    const [queue] = planOf(resources).queues;
    // Assess
    expect(queue).toEqual({
      logicalId: 'Orders',
      name: 'orders',
      arn: 'arn:aws:sqs:eu-west-1:000000000000:orders',
      fifo: false,
      attributes: {
        VisibilityTimeout: '30',
        DelaySeconds: '2',
        MessageRetentionPeriod: '345600',
        SqsManagedSseEnabled: 'true',
      },
    });
  });

  it('names an unnamed queue after the stack and its logical id, as CloudFormation does', () => {
    // Act
    const [queue] = planOf({ Orders: { Type: 'AWS::SQS::Queue' } }).queues;
    // Assess
    expect(queue?.name).toBe('Shop-Orders');
  });

  it('names an unnamed FIFO queue with the .fifo suffix, within the 80 characters SQS allows', () => {
    // Prepare
    const logicalId = `Orders${'X'.repeat(90)}`;
    // Act
    const [queue] = planOf({ [logicalId]: { Type: 'AWS::SQS::Queue', Properties: { FifoQueue: true } } }).queues;
    // Assess
    expect(queue?.fifo).toBe(true);
    expect(queue?.name).toMatch(/^Shop-OrdersX+\.fifo$/);
    expect(queue?.name.length).toBe(80);
    expect(queue?.attributes.FifoQueue).toBe('true');
  });
});

describe("reading a queue's redrive policy", () => {
  it("points the RedrivePolicy at the local DLQ's ARN and records the DLQ and its maxReceiveCount", () => {
    // Prepare
    const resources = {
      OrdersDlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders-dlq' } },
      Orders: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          QueueName: 'orders',
          RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['OrdersDlq', 'Arn'] }, maxReceiveCount: 3 },
          RedriveAllowPolicy: { redrivePermission: 'denyAll' },
        },
      },
    };
    // Act
    const queue = planOf(resources).queues.find((q) => q.logicalId === 'Orders');
    // Assess
    expect(queue).toMatchObject({ deadLetterQueue: 'OrdersDlq', maxReceiveCount: 3 });
    expect(JSON.parse(queue?.attributes.RedrivePolicy ?? '')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:orders-dlq',
      maxReceiveCount: 3,
    });
    expect(JSON.parse(queue?.attributes.RedriveAllowPolicy ?? '')).toEqual({ redrivePermission: 'denyAll' });
  });

  it('notes that KMS encryption is not emulated', () => {
    // Act
    const plan = planOf({
      Orders: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders', KmsMasterKeyId: 'alias/aws/sqs' } },
    });
    // Assess
    expect(plan.notes).toEqual(['Queue orders: KMS encryption is not emulated.']);
  });
});
