import { describe, expect, it } from 'vitest';
import { nodeFunction, planOf } from './fixtures.js';

const queue = (name: string) => ({ Type: 'AWS::SQS::Queue', Properties: { QueueName: name } });
const group = { Type: 'AWS::Scheduler::ScheduleGroup', Properties: { Name: 'jobs' } };
const schedule = (properties: Record<string, unknown>) => ({
  Type: 'AWS::Scheduler::Schedule',
  Properties: { FlexibleTimeWindow: { Mode: 'OFF' }, ...properties },
});

describe('reading EventBridge Scheduler schedules', () => {
  it('gives a queue-targeted schedule its expression, timezone, group, input, retry policy and DLQ', () => {
    // Act
    const plan = planOf({
      Work: queue('work'),
      Dlq: queue('work-dlq'),
      Group: group,
      Nightly: schedule({
        Name: 'report_nightly',
        GroupName: { Ref: 'Group' },
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': ['Work', 'Arn'] },
          RoleArn: 'arn:aws:iam::1:role/r',
          Input: '{"jobId":"sched:report:nightly:<aws.scheduler.scheduled-time>"}',
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
        },
      }),
    });

    // Assess
    expect(plan.schedulerSchedules).toEqual([
      {
        logicalId: 'Nightly',
        name: 'report_nightly',
        group: 'jobs',
        arn: 'arn:aws:scheduler:eu-west-1:000000000000:schedule/jobs/report_nightly',
        expression: 'cron(0 3 * * ? *)',
        timezone: 'Europe/Paris',
        enabled: true,
        target: { kind: 'sqs', queueLogicalId: 'Work', queueName: 'work' },
        input: '{"jobId":"sched:report:nightly:<aws.scheduler.scheduled-time>"}',
        retry: { maxAttempts: 10, maxAgeSeconds: 3600 },
        deadLetterQueueName: 'work-dlq',
      },
    ]);
    expect(plan.notes).toEqual([]);
  });

  it("reads a FIFO target's message group, a function target, and Scheduler's defaults", () => {
    const plan = planOf({
      Ordered: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'o.fifo', FifoQueue: true } },
      Handler: nodeFunction(),
      ToFifo: schedule({
        ScheduleExpression: 'rate(1 hour)',
        State: 'DISABLED',
        Target: { Arn: { 'Fn::GetAtt': ['Ordered', 'Arn'] }, RoleArn: 'r', SqsParameters: { MessageGroupId: 'g' } },
      }),
      ToFunction: schedule({
        ScheduleExpression: 'at(2030-01-01T00:00:00)',
        Target: { Arn: { 'Fn::GetAtt': ['Handler', 'Arn'] }, RoleArn: 'r' },
      }),
    });

    expect(plan.schedulerSchedules.map((s) => [s.name, s.group, s.enabled, s.timezone, s.target, s.retry])).toEqual([
      [
        'Shop-ToFifo',
        'default',
        false,
        'UTC',
        { kind: 'sqs', queueLogicalId: 'Ordered', queueName: 'o.fifo', messageGroupId: 'g' },
        { maxAttempts: 185, maxAgeSeconds: 86_400 },
      ],
      ['Shop-ToFunction', 'default', true, 'UTC', { kind: 'lambda', functionLogicalId: 'Handler' }, expect.anything()],
    ]);
  });

  it('notes a target that is not local, an expression it cannot compute and a flexible window it ignores', () => {
    const plan = planOf({
      Work: queue('work'),
      Elsewhere: schedule({
        ScheduleExpression: 'rate(1 hour)',
        Target: { Arn: 'arn:aws:sns:eu-west-1:1:topic', RoleArn: 'r' },
      }),
      Odd: schedule({
        ScheduleExpression: 'cron(0 3 L-2 * ? *)',
        Target: { Arn: { 'Fn::GetAtt': ['Work', 'Arn'] }, RoleArn: 'r' },
      }),
      Loose: schedule({
        ScheduleExpression: 'rate(1 hour)',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
        Target: { Arn: { 'Fn::GetAtt': ['Work', 'Arn'] }, RoleArn: 'r' },
      }),
    });

    expect(plan.schedulerSchedules.map((s) => s.logicalId)).toEqual(['Loose']);
    expect(plan.notes).toEqual([
      'Schedule Elsewhere: its target arn:aws:sns:eu-west-1:1:topic is not a local queue or function; it is not run.',
      expect.stringMatching(/^Schedule Odd: cron\(0 3 L-2 \* \? \*\): .* It is not run locally\.$/),
      'Schedule Loose: its flexible time window is not applied; it fires on time.',
    ]);
  });
});
