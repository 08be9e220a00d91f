import { describe, expect, it } from 'vitest';
import { bannerText } from '../../../../local/core/runtime/banner.js';
import { nodeFunction, planOf } from '../template/fixtures.js';

const plan = planOf({
  Orders: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders' } },
  Jobs: {
    Type: 'AWS::DynamoDB::Table',
    Properties: { TableName: 'jobs', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } },
  },
  Worker: nodeFunction({ Timeout: 30 }, 'Shop/Worker/Resource'),
  Mapping: {
    Type: 'AWS::Lambda::EventSourceMapping',
    Properties: { EventSourceArn: { 'Fn::GetAtt': ['Orders', 'Arn'] }, FunctionName: { Ref: 'Worker' }, BatchSize: 5 },
  },
  Api: { Type: 'AWS::ApiGateway::RestApi' },
  Root: {
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: { Ref: 'Api' },
      ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
      HttpMethod: 'GET',
      AuthorizationType: 'AWS_IAM',
      Integration: { Type: 'MOCK' },
    },
  },
});

describe('the start-up banner', () => {
  it('shows the API, the pollers and the emulators, then every note, with contributions where they belong', () => {
    // Act
    const text = bannerText({
      plan,
      url: 'http://127.0.0.1:3000',
      sqsEndpoint: 'http://127.0.0.1:1',
      dynamodbEndpoint: 'http://127.0.0.1:2',
      concurrencyNote: 'At most 2 environments.',
      contributions: [
        { services: [{ label: 'Dashboard', text: 'http://127.0.0.1:3000/ui' }] },
        { hints: [{ label: 'Try', text: 'curl \\\n  -d {}' }] },
      ],
    });
    // Assess
    expect(text.split('\n')).toEqual([
      'Local runtime for stack Shop (eu-west-1); no AWS account is used.',
      "  API        http://127.0.0.1:3000   (the deployed URL's stage path http://127.0.0.1:3000/prod works too)",
      '  Routes     GET /',
      '  Dashboard  http://127.0.0.1:3000/ui',
      '  Pollers    Worker (queue orders, batch 5, concurrency 5, timeout 30 s)',
      '  SQS        http://127.0.0.1:1 (fauxqs)   DynamoDB http://127.0.0.1:2 (dynalite)',
      '  NOTE       1 API methods require AWS_IAM authorization on AWS; it is NOT checked locally.',
      '  NOTE       Table jobs: dynalite has no TTL; the runtime deletes items past "expiresAt" every minute.',
      '  NOTE       API GET /: only Lambda proxy integrations are served locally.',
      '  NOTE       At most 2 environments.',
      '  Try        curl \\',
      '               -d {}',
      '  Ctrl+C stops pollers, waits for work in flight, and exits.',
    ]);
  });
});

describe('the start-up banner with schedules', () => {
  it('shows each Scheduler schedule with its target, expression, timezone and next firing', () => {
    // Prepare
    const scheduled = planOf({
      Orders: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders' } },
      Nightly: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          Name: 'orders_nightly',
          ScheduleExpression: 'cron(0 3 * * ? *)',
          ScheduleExpressionTimezone: 'Europe/Paris',
          Target: { Arn: { 'Fn::GetAtt': ['Orders', 'Arn'] }, RoleArn: 'r' },
        },
      },
      Paused: {
        Type: 'AWS::Scheduler::Schedule',
        Properties: {
          Name: 'orders_paused',
          ScheduleExpression: 'rate(1 hour)',
          State: 'DISABLED',
          Target: { Arn: { 'Fn::GetAtt': ['Orders', 'Arn'] }, RoleArn: 'r' },
        },
      },
    });

    // Act
    const text = bannerText({
      plan: scheduled,
      url: 'http://127.0.0.1:3000',
      sqsEndpoint: 'http://127.0.0.1:1',
      dynamodbEndpoint: 'http://127.0.0.1:2',
      schedules: [
        {
          logicalId: 'Nightly',
          name: 'orders_nightly',
          group: 'default',
          expression: 'cron(0 3 * * ? *)',
          timezone: 'Europe/Paris',
          enabled: true,
          nextFiring: '2026-11-30T02:00:00Z',
        },
      ],
      contributions: [],
    });

    // Assess
    expect(text).toContain(
      [
        '  Schedules  orders_nightly -> queue orders on cron(0 3 * * ? *) Europe/Paris, next 2026-11-30T02:00:00Z',
        '             orders_paused -> queue orders on rate(1 hour), disabled',
      ].join('\n'),
    );
  });
});

describe('the start-up banner with secrets', () => {
  it('shows where secrets are served and kept, and a value generated now, once', () => {
    // Prepare
    const withSecrets = planOf({
      Signing: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'shop/signing' } },
      Older: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'shop/older' } },
    });
    const input = {
      plan: withSecrets,
      url: 'http://127.0.0.1:3000',
      sqsEndpoint: 'http://127.0.0.1:1',
      dynamodbEndpoint: 'http://127.0.0.1:2',
      contributions: [],
    };

    // Act
    const text = bannerText({
      ...input,
      secrets: {
        endpoint: 'http://127.0.0.1:3',
        file: '.qw/secrets.json',
        generated: [{ name: 'shop/signing', value: 's3cr3t' }],
      },
    });

    // Assess
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('  Secrets'));
    expect(lines.slice(at, at + 3)).toEqual([
      '  Secrets    http://127.0.0.1:3 (GetSecretValue); generated values are kept in .qw/secrets.json',
      '             shop/signing: generated now: s3cr3t  (shown only this once)',
      '             shop/older: as generated before',
    ]);
  });
});
