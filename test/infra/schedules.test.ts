import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineJobType, type JobSchedule, type JobType, type QueueSettings } from '../../lambda/jobs/define.js';
import * as z from '../../lambda/shared/zod.js';
import { QueueWorkersStack } from '../../lib/queue-workers-stack.js';
import { testApp } from '../helpers/cdk-app.js';

const scheduled = (name: string, schedules: JobSchedule<{ n: number }>[], queue: QueueSettings = {}) =>
  defineJobType({
    name,
    description: 'd',
    payload: z.strictObject({ n: z.number() }),
    handler: async () => null,
    queue,
    schedules,
  });

function synth(types: readonly JobType[]) {
  const app = testApp();
  const stack = new QueueWorkersStack(app, 'Test', { jobTypes: types });
  return { app, template: Template.fromStack(stack) };
}

type Resource = { Properties: Record<string, unknown> };

/** The schedule resource named `name`. */
function scheduleNamed(template: Template, name: string): Resource {
  const found = Object.values(template.findResources('AWS::Scheduler::Schedule')).find(
    (r) => (r as Resource).Properties.Name === name,
  );
  if (!found) throw new Error(`no schedule ${name}`);
  return found as Resource;
}

describe('job schedules', () => {
  let template: Template;
  let app: App;
  beforeAll(() => {
    ({ template, app } = synth([
      scheduled('report', [
        { name: 'nightly', cron: '0 3 * * ? *', timezone: 'Europe/Paris', payload: { n: 1 } },
        { name: 'hourly', rate: '1 hour', payload: { n: 2 }, enabled: false },
      ]),
      scheduled('ordered', [{ name: 'once', at: '2030-01-01T09:00:00', payload: { n: 3 } }], { fifo: true }),
      scheduled('plain', []),
    ]));
  });

  it('creates one schedule per entry, in its timezone, with the flexible time window off', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 3);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'report_nightly',
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      GroupName: 'Test-Schedules-Group-2CBA6C72',
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'report_hourly',
      ScheduleExpression: 'rate(1 hour)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'DISABLED',
    });
  });

  it('sends the job envelope straight to the queue, with a job id unique per firing', () => {
    const target = scheduleNamed(template, 'report_nightly').Properties.Target as Record<string, unknown>;
    expect(target.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ReportQueue/), 'Arn'] });
    expect(JSON.parse(target.Input as string)).toEqual({
      jobId: 'sched:report:nightly:<aws.scheduler.scheduled-time>',
      type: 'report',
      payload: { n: 1 },
      createdAt: '<aws.scheduler.scheduled-time>',
      schedule: {
        name: 'nightly',
        executionId: '<aws.scheduler.execution-id>',
        attempt: '<aws.scheduler.attempt-number>',
      },
    });
  });

  it("retries a firing SQS did not take, then dead-letters it to the type's DLQ", () => {
    const target = scheduleNamed(template, 'report_nightly').Properties.Target as Record<string, unknown>;
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 });
    expect(target.DeadLetterConfig).toEqual({
      Arn: { 'Fn::GetAtt': [expect.stringMatching(/^ReportQueueDeadLetterQueue/), 'Arn'] },
    });
  });

  it('gives a FIFO type a message group and content-based deduplication, and no DLQ Scheduler would refuse', () => {
    const target = scheduleNamed(template, 'ordered_once').Properties.Target as Record<string, unknown>;
    expect(target.SqsParameters).toEqual({ MessageGroupId: 'once' });
    expect(target.DeadLetterConfig).toBeUndefined();
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'Test-ordered.fifo',
      ContentBasedDeduplication: true,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'Test-report',
      ContentBasedDeduplication: Match.absent(),
    });
  });

  it('lets Scheduler assume the role only for this group, and the role only send to its queue and DLQ', () => {
    const roles = template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'scheduler.amazonaws.com' } }] } },
    });
    expect(Object.keys(roles)).toHaveLength(2);
    for (const role of Object.values(roles)) {
      expect((role as Resource).Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [
          {
            Condition: {
              StringEquals: {
                'aws:SourceAccount': { Ref: 'AWS::AccountId' },
                'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^SchedulesGroup/), 'Arn'] },
              },
            },
          },
        ],
      });
    }
    const reportRole = Object.keys(roles).find((id) => id.startsWith('SchedulesReportRole')) as string;
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify((p as Resource).Properties.Roles).includes(reportRole),
    ) as Resource;
    const statements = (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
      .Statement;
    expect(statements).toEqual([
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReportQueue[0-9A-F]{8}$/), 'Arn'] },
      }),
      expect.objectContaining({
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^ReportQueueDeadLetterQueue/), 'Arn'] },
      }),
    ]);
  });

  it('names the schedule group in an output, for qw', () => {
    template.hasOutput('ScheduleGroupName', { Value: 'Test-Schedules-Group-2CBA6C72' });
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'Test-Schedules-Group-2CBA6C72' });
  });

  it("passes cdk-nag's AwsSolutions pack", () => {
    expect(new AwsSolutionsChecks(app).validateScope(app).success).toBe(true);
  });

  it('creates no schedule group for a stack without schedules', () => {
    const { template: plain } = synth([scheduled('plain', [])]);
    plain.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
    expect(plain.findOutputs('ScheduleGroupName')).toEqual({});
  });
});

describe('schedule validation at synth', () => {
  it('refuses every bad schedule at once, each saying how to fix it', () => {
    const bad = scheduled('report', [
      { name: 'dup', cron: '0 3 * * * *', payload: { n: 1 } },
      { name: 'dup', rate: '1 hours', payload: { n: 1 } },
      { name: 'Bad Name', at: '2030-02-30T09:00:00', payload: { n: 1 } },
      { name: 'zone', cron: '0 3 * * ? *', timezone: 'Mars/Olympus', payload: { n: 1 } },
      { name: 'payload', rate: '5 minutes', payload: { n: 'one' } as unknown as { n: number } },
    ]);
    let message = '';
    try {
      synth([bad]);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n- ').slice(1)).toEqual([
      expect.stringMatching(/"dup": cron "0 3 \* \* \* \*": set "\?" in exactly one of day-of-month and day-of-week/),
      expect.stringMatching(/"dup": another schedule of this type has the same name; rename one/),
      expect.stringMatching(/"dup": rate "1 hours" must be .*singular for 1/),
      expect.stringMatching(/"Bad Name": the name must be 1-64 lower-case letters/),
      expect.stringMatching(/"Bad Name": at "2030-02-30T09:00:00" must be a date and time/),
      expect.stringMatching(/"zone": timezone "Mars\/Olympus" is not an IANA timezone/),
      expect.stringMatching(/"payload": the payload does not match the type's schema \(n: /),
    ]);
  });
});
