import type { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { defineJobType, type JobType, type QueueSettings, visibilityTimeoutSeconds } from '../../lambda/jobs/define.js';
import { jobTypes } from '../../lambda/jobs/registry.js';
import * as z from '../../lambda/shared/zod.js';
import { type ApiAuth, QueueWorkersStack } from '../../lib/queue-workers-stack.js';
import { testApp } from '../helpers/cdk-app.js';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

function synth(options: { auth?: ApiAuth; types?: readonly JobType[] } = {}) {
  const app = testApp();
  const stack = new QueueWorkersStack(app, 'Test', {
    ...(options.auth ? { auth: options.auth } : {}),
    ...(options.types ? { jobTypes: options.types } : {}),
  });
  return { app, stack, template: Template.fromStack(stack) };
}

const demo = (queue: QueueSettings, name = 'demo') =>
  defineJobType({ name, description: 'd', payload: z.object({}), handler: async () => null, queue });

/** The logical id of the resource of `type` whose id is `prefix` plus CDK's 8-character hash. */
function idOf(template: Template, type: string, prefix: string): string {
  const pattern = new RegExp(`^${prefix}[0-9A-F]{8}$`);
  const found = Object.keys(template.findResources(type)).find((id) => pattern.test(id));
  if (!found) throw new Error(`no ${type} with logical id ${prefix}<hash>`);
  return found;
}

describe('QueueWorkersStack', () => {
  let template: Template;
  let app: App;
  beforeAll(() => {
    ({ template, app } = synth());
  });

  it("tells the local runtime each function's entry and esbuild options, with no machine's paths", () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      const bundling = fn.Metadata?.['local:bundling'] as { entry: string; esbuild: Record<string, unknown> };
      expect(bundling.entry).toMatch(/^lambda\/[\w/-]+\/handler\.ts$/);
      expect(bundling.esbuild).toMatchObject({
        bundle: true,
        platform: 'node',
        target: 'node24',
        format: 'cjs',
        minify: true,
        sourcemap: true,
        // The SDK's clients come from the Lambda runtime; the S3 presigners, which it may lack, are bundled.
        external: expect.arrayContaining(['@aws-sdk/client-*', '@smithy/*']),
      });
    }
  });

  describe.each(jobTypes.map((t) => [t.name, t] as const))('job type %s', (_name, type) => {
    const prefix = type.name.replace(/(^|[^a-zA-Z0-9])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());

    it('has a queue with SSE, a redrive policy from its max attempts, and a derived visibility timeout', () => {
      const dlq = idOf(template, 'AWS::SQS::Queue', `${prefix}QueueDeadLetterQueue`);
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `Test-${type.name.replace(/\./g, '-')}`,
        SqsManagedSseEnabled: true,
        VisibilityTimeout: visibilityTimeoutSeconds(type.queue),
        MessageRetentionPeriod: 7 * 86_400,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
          maxReceiveCount: type.queue.maxAttempts + 1,
        },
        RedriveAllowPolicy: { redrivePermission: 'denyAll' },
      });
    });

    it('has a DLQ kept 14 days that only its own queue may use', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `Test-${type.name.replace(/\./g, '-')}-dlq`,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 86_400,
        RedriveAllowPolicy: {
          redrivePermission: 'byQueue',
          sourceQueueArns: [
            {
              'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`:Test-${type.name.replace(/\./g, '-')}$`)])],
            },
          ],
        },
      });
    });

    it('triggers its worker with partial batch responses, its batch size and max concurrency', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [idOf(template, 'AWS::SQS::Queue', `${prefix}Queue`), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: type.queue.batchSize,
        ScalingConfig: { MaximumConcurrency: type.queue.maxConcurrency },
      });
    });

    it('runs its worker on Node 24 arm64 with its timeout, memory and environment', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: `queue-workers worker for job type ${type.name}`,
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Timeout: type.queue.timeoutSeconds,
        MemorySize: type.queue.memoryMb,
        Environment: {
          Variables: Match.objectLike({
            JOB_TYPE: type.name,
            QUEUE_URL: Match.anyValue(),
            DLQ_URL: Match.anyValue(),
            JOB_TABLE_NAME: Match.anyValue(),
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
        LoggingConfig: { LogGroup: Match.anyValue() },
      });
    });

    it('has alarms for DLQ depth, oldest job age, worker errors and throttles, sent to the alarm topic', () => {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmDescription: Match.stringLikeRegexp(type.name) },
      });
      const metrics = Object.values(alarms)
        .map((a) => a.Properties.MetricName)
        .sort();
      expect(metrics).toEqual([
        'ApproximateAgeOfOldestMessage',
        'ApproximateNumberOfMessagesVisible',
        'Errors',
        'Throttles',
      ]);
      for (const alarm of Object.values(alarms)) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: idOf(template, 'AWS::SNS::Topic', 'AlarmsTopic') }]);
      }
    });

    it('outputs its queue and DLQ URLs', () => {
      template.hasOutput(`QueueUrl${prefix}`, {});
      template.hasOutput(`DlqUrl${prefix}`, {});
    });
  });

  it('sets every queue visibility timeout to at least 6 x its consumer timeout', () => {
    const resources = template.toJSON().Resources as Resources;
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings.length).toBe(jobTypes.length);
    for (const m of mappings) {
      const queueId = (m.Properties.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
      const fnId = (m.Properties.FunctionName as { Ref: string }).Ref;
      const visibility = resources[queueId]?.Properties.VisibilityTimeout as number;
      const timeout = resources[fnId]?.Properties.Timeout as number;
      expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
    }
  });

  it('denies non-TLS access on every queue', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const covered = policies
      .filter((p) =>
        (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).some(
          (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
        ),
      )
      .flatMap((p) => (p.Properties.Queues as { Ref: string }[]).map((q) => q.Ref));
    expect(covered.sort()).toEqual(queues.sort());
  });

  it('has an on-demand job table with point-in-time recovery, TTL and SSE', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('encrypts the alarm topic with a rotating key that CloudWatch may use, and denies non-TLS publishing', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('grants workers only GetItem, PutItem (a callback delivery) and UpdateItem on the table, and the API no delete or scan', () => {
    // The reconciler's one Query is on the lease index alone; see its own test.
    const reconciler = idOf(template, 'AWS::IAM::Policy', 'ReconcilerFunctionServiceRoleDefaultPolicy');
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id !== reconciler)
      .map(([, p]) => p);
    const ddbActions = policies.map((p) =>
      [
        ...new Set(
          (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
            .flatMap((s) => [s.Action].flat())
            .filter((a) => a.startsWith('dynamodb:')),
        ),
      ].sort(),
    );
    expect(ddbActions.filter((a) => !a.includes('dynamodb:BatchWriteItem'))).toEqual(
      jobTypes.map(() => ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    expect(ddbActions).toContainEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(ddbActions.flat().some((a) => /Delete|Scan|Query|\*/.test(a))).toBe(false);
  });

  it('serves the job routes, cancel, DLQ redrive and catch-alls, all with IAM auth by default', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.length).toBeGreaterThanOrEqual(4 + 4 + 2);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const parts = Object.values(resources)
      .map((r) => r.Properties.PathPart)
      .sort();
    expect(parts).toEqual(['batch', 'cancel', 'dlq', 'jobs', 'redrive', 'uploads', '{jobId}', '{proxy+}', '{type}']);
    for (const method of ['POST', 'GET'])
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: method });
  });

  it('logs API access and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'ERROR' }),
      ],
    });
  });

  it('answers API Gateway errors in the same JSON shape as the function', () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseTemplates: {
          'application/json': Match.stringLikeRegexp('"error":\\{"code":"\\$context.error.responseType"'),
        },
      });
    }
  });

  it('runs the reconciler every minute, granted a Query of the lease index and item reads and writes only', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [idOf(template, 'AWS::Lambda::Function', 'ReconcilerFunction'), 'Arn'] },
        }),
      ],
    });
    const table = idOf(template, 'AWS::DynamoDB::Table', 'JobsTable');
    const policy =
      template.findResources('AWS::IAM::Policy')[
        idOf(template, 'AWS::IAM::Policy', 'ReconcilerFunctionServiceRoleDefaultPolicy')
      ];
    const statements = (policy?.Properties.PolicyDocument.Statement ?? []) as { Action: unknown; Resource: unknown }[];
    // UpdateItem fails jobs; GetItem and PutItem read a failed job's callback URL and record its delivery.
    expect(statements.filter((s) => String(s.Action).startsWith('dynamodb:'))).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/leases']] },
      }),
      expect.objectContaining({ Action: 'dynamodb:UpdateItem', Resource: { 'Fn::GetAtt': [table, 'Arn'] } }),
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [table, 'Arn'] },
      }),
    ]);
  });

  it('alarms while jobs are stalled, on the service-wide metric the reconciler publishes (no metric math)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'QueueWorkers',
      MetricName: 'stalled',
      Dimensions: [{ Name: 'service', Value: 'queue-workers' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('indexes running jobs by the end of their lease, sharded, with only what the reconciler reads', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'leases',
          KeySchema: [
            { AttributeName: 'leaseShard', KeyType: 'HASH' },
            { AttributeName: 'leaseExpiresAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['type', 'status', 'attempts', 'maxAttempts'] },
        },
      ],
    });
  });

  it('outputs the API URL and table name', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('JobTableName', {});
  });

  it('outputs the retention the stack was deployed with, which qw builds its job store with', () => {
    // Prepare
    const app = testApp();
    const stack = new QueueWorkersStack(app, 'Retained', { retentionDays: 7 });

    // Act
    const outputs = Template.fromStack(stack);

    // Assess
    outputs.hasOutput('JobRetentionDays', { Value: '7' });
    template.hasOutput('JobRetentionDays', { Value: '30' });
  });

  it("passes cdk-nag's AwsSolutions pack", () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId)}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('DLQ redrive through the API', () => {
  /** Actions granted to the API function's role, with the resource of each statement. */
  function apiGrants(template: Template): { actions: string[]; resource: string }[] {
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes('ApiFunctionServiceRole'),
    );
    if (!policy) throw new Error('no policy for the API function role');
    return (policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).map(
      (s) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }),
    );
  }

  it('lets the API start move tasks on the DLQs only, with IAM auth', () => {
    const { template } = synth();
    const grants = apiGrants(template).filter((g) => g.actions.includes('sqs:StartMessageMoveTask'));
    expect(grants).toHaveLength(jobTypes.length);
    for (const g of grants) expect(g.resource).toMatch(/DeadLetterQueue/);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'queue-workers HTTP job API',
      Environment: { Variables: Match.objectLike({ REDRIVE_ENABLED: 'true', DLQ_ARN_SIMULATE: Match.anyValue() }) },
    });
  });

  it('offers no redrive route and no move permission with API-key auth', () => {
    const { template } = synth({ auth: 'apiKey' });
    const parts = Object.values(template.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
    expect(parts).not.toContain('dlq');
    expect(apiGrants(template).flatMap((g) => g.actions)).not.toContain('sqs:StartMessageMoveTask');
  });
});

describe('API auth options', () => {
  it('requires an API key on every method and throttles it through a usage plan', () => {
    const { template } = synth({ auth: 'apiKey' });
    for (const m of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
      expect(m.Properties.ApiKeyRequired).toBe(true);
    }
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 100, BurstLimit: 200 } });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
  });

  it('warns at synth when auth is none, and still passes cdk-nag because the choice is explicit', () => {
    const { stack, template, app } = synth({ auth: 'none' });
    for (const m of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
      expect(m.Properties.AuthorizationType).toBe('NONE');
    }
    Annotations.fromStack(stack).hasWarning('/Test/Api', Match.stringLikeRegexp('no authentication'));
    expect(new AwsSolutionsChecks(app).validateScope(app).success).toBe(true);
  });

  it('does not warn about auth with the default IAM auth', () => {
    const { stack } = synth();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('no authentication'));
  });
});

describe('job type validation at synth', () => {
  it.each<[string, QueueSettings, RegExp]>([
    ['FIFO with a batch over 10', { fifo: true, batchSize: 11 }, /set batchSize to 10 or less/],
    ['a batch over 10 without a window', { batchSize: 50 }, /set maxBatchingWindowSeconds to at least 1/],
    ['a timeout over 900 s', { timeoutSeconds: 1200 }, /timeoutSeconds is 1200/],
  ])('refuses %s, saying how to fix it', (_name, settings, message) => {
    expect(() => synth({ types: [demo(settings)] })).toThrow(message);
  });

  it('refuses two types whose names collide once made into variable names', () => {
    expect(() => synth({ types: [demo({}, 'a.b'), demo({}, 'a-b')] })).toThrow(/same name QUEUE_URL_A_B/);
  });

  it('builds a FIFO type as FIFO queue and DLQ, with a batching window absent', () => {
    const { template } = synth({ types: [demo({ fifo: true, batchSize: 10 }, 'ordered')] });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'Test-ordered.fifo', FifoQueue: true });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'Test-ordered-dlq.fifo', FifoQueue: true });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  it('sets the batching window and adds it to the visibility timeout', () => {
    const { template } = synth({
      types: [demo({ batchSize: 100, maxBatchingWindowSeconds: 5, timeoutSeconds: 20 }, 'bulk')],
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 5,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'Test-bulk', VisibilityTimeout: 125 });
  });
});

describe('dashboard', () => {
  it('charts each job type: queue depth, oldest age, DLQ, duration, errors, throttles and job outcomes', () => {
    const { template } = synth();
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    for (const t of jobTypes) {
      for (const title of [
        'queue depth',
        'age of oldest job',
        'jobs',
        'worker duration',
        'worker errors and throttles',
      ]) {
        expect(body).toContain(`${t.name}: ${title}`);
      }
      expect(body).toContain(
        `\\"QueueWorkers\\",\\"succeeded\\",\\"service\\",\\"queue-workers\\",\\"type\\",\\"${t.name}\\"`,
      );
    }
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'Duration',
      'Errors',
      'Throttles',
      '5XXError',
    ]) {
      expect(body).toContain(metric);
    }
    template.hasOutput('DashboardName', {});
  });
});
