import { describe, expect, it } from 'vitest';
import { jobTableName, jobTypesOfPlan, retentionDaysOf } from '../../../../local/console/job-types.js';
import { nodeFunction, planOf, queueUrlOf } from '../template/fixtures.js';

const jobsTable = { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'jobs' } };
const worker = (type: string, extra: Record<string, string> = {}) =>
  nodeFunction({ Environment: { Variables: { JOB_TYPE: type, JOB_TABLE_NAME: { Ref: 'Jobs' }, ...extra } } });

const plan = planOf({
  Jobs: jobsTable,
  Other: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'other' } },
  Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'mail-dlq' } },
  Mail: {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: 'mail',
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 4 },
    },
  },
  Plain: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'plain' } },
  MailWorker: worker('mail.send', { JOB_RETENTION_DAYS: '7' }),
  PlainWorker: worker('plain'),
  MailSource: {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: { EventSourceArn: { 'Fn::GetAtt': ['Mail', 'Arn'] }, FunctionName: { Ref: 'MailWorker' } },
  },
  PlainSource: {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: { EventSourceArn: { 'Fn::GetAtt': ['Plain', 'Arn'] }, FunctionName: { Ref: 'PlainWorker' } },
  },
});

describe('job types of a plan', () => {
  it('finds each worker with a JOB_TYPE, its queue and its DLQ, and skips queues without a DLQ', () => {
    // Act
    const types = jobTypesOfPlan(plan, queueUrlOf);
    // Assess
    expect(types).toEqual([
      {
        type: 'mail.send',
        queueName: 'mail',
        queueUrl: queueUrlOf('mail'),
        queueArn: 'arn:aws:sqs:eu-west-1:000000000000:mail',
        dlqName: 'mail-dlq',
        dlqUrl: queueUrlOf('mail-dlq'),
        dlqArn: 'arn:aws:sqs:eu-west-1:000000000000:mail-dlq',
        maxAttempts: 3, // maxReceiveCount keeps one receive beyond the attempts, for the worker
      },
    ]);
  });

  it('takes the job table and retention the functions are given', () => {
    // Act, Assess
    expect(jobTableName(plan)).toBe('jobs');
    expect(retentionDaysOf(plan)).toBe(7);
  });

  it("falls back to the plan's first table and the default retention of 30 days", () => {
    // Prepare
    const bare = planOf({ Only: jobsTable });
    // Act, Assess
    expect(jobTableName(bare)).toBe('jobs');
    expect(retentionDaysOf(bare)).toBe(30);
  });
});
