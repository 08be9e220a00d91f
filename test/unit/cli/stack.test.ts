import {
  CloudFormationClient,
  CloudFormationServiceException,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors.js';
import { retentionDaysOf } from '../../../cli/targets/retention.js';
import { readStack, typesFromOutputs } from '../../../cli/targets/stack.js';
import { DEFAULT_RETENTION_DAYS } from '../../../lambda/shared/config.js';

const cfn = mockClient(CloudFormationClient);
const CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
const SQS = 'https://sqs.us-east-1.amazonaws.com/123456789012';

const OUTPUTS: Record<string, string> = {
  ApiUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/v1/',
  JobTableName: 'Qw-jobs',
  QueueUrlSimulate: `${SQS}/Qw-simulate`,
  DlqUrlSimulate: `${SQS}/Qw-simulate-dlq`,
  QueueUrlWebhookDeliver: `${SQS}/Qw-webhook-deliver`,
  DlqUrlWebhookDeliver: `${SQS}/Qw-webhook-deliver-dlq`,
};

function deployed(outputs: Record<string, string>) {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Qw',
        CreationTime: new Date(),
        StackStatus: 'CREATE_COMPLETE',
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
}

describe('typesFromOutputs', () => {
  it('names each queue pair by the registered job type its output id was made from, sorted', () => {
    // Act
    const types = typesFromOutputs(OUTPUTS, 'Qw');

    // Assess
    expect(types).toEqual([
      {
        type: 'simulate',
        queueName: 'Qw-simulate',
        queueUrl: `${SQS}/Qw-simulate`,
        dlqName: 'Qw-simulate-dlq',
        dlqUrl: `${SQS}/Qw-simulate-dlq`,
      },
      {
        type: 'webhook.deliver',
        queueName: 'Qw-webhook-deliver',
        queueUrl: `${SQS}/Qw-webhook-deliver`,
        dlqName: 'Qw-webhook-deliver-dlq',
        dlqUrl: `${SQS}/Qw-webhook-deliver-dlq`,
      },
    ]);
  });

  it("falls back to the queue's name, without the stack prefix and .fifo, for a type this checkout does not know", () => {
    // Act
    const types = typesFromOutputs(
      { QueueUrlReportBuild: `${SQS}/Qw-report-build.fifo`, DlqUrlReportBuild: `${SQS}/Qw-report-build-dlq.fifo` },
      'Qw',
      ['simulate'],
    );

    // Assess
    expect(types.map((t) => t.type)).toEqual(['report-build']);
  });

  it('skips a queue without a DLQ output, and outputs that are not queues', () => {
    // Act
    const types = typesFromOutputs(
      { QueueUrlSimulate: `${SQS}/Qw-simulate`, ApiUrl: 'https://x', DlqUrlOther: `${SQS}/Qw-other-dlq` },
      'Qw',
    );

    // Assess
    expect(types).toEqual([]);
  });
});

describe('retentionDaysOf', () => {
  it.each([
    { reported: '7', days: 7 },
    { reported: 90, days: 90 },
    { reported: ' 14 ', days: 14 },
    { reported: undefined, days: DEFAULT_RETENTION_DAYS },
    { reported: '', days: DEFAULT_RETENTION_DAYS },
    { reported: '0', days: DEFAULT_RETENTION_DAYS },
    { reported: '-3', days: DEFAULT_RETENTION_DAYS },
    { reported: '1.5', days: DEFAULT_RETENTION_DAYS },
    { reported: 'thirty', days: DEFAULT_RETENTION_DAYS },
    { reported: null, days: DEFAULT_RETENTION_DAYS },
  ])('reads $reported as $days days', ({ reported, days }) => {
    // Act & Assess
    expect(retentionDaysOf(reported)).toBe(days);
  });
});

describe('readStack', () => {
  beforeEach(() => {
    cfn.reset();
    cfn.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        {
          LogicalResourceId: 'ApiAbc',
          PhysicalResourceId: 'abc123',
          ResourceType: 'AWS::ApiGateway::RestApi',
          Timestamp: new Date(),
          ResourceStatus: 'CREATE_COMPLETE',
        },
      ],
    });
  });

  it("reads the API, the table, the job types, the RestApi's id and the retention the stack was deployed with", async () => {
    // Prepare
    deployed({ ...OUTPUTS, JobRetentionDays: '7' });

    // Act
    const stack = await readStack(CONFIG, 'Qw', 'in us-east-1');

    // Assess
    expect(stack).toMatchObject({
      stackName: 'Qw',
      apiUrl: OUTPUTS.ApiUrl,
      tableName: 'Qw-jobs',
      retentionDays: 7,
      restApiId: 'abc123',
    });
    expect(stack.types.map((t) => t.type)).toEqual(['simulate', 'webhook.deliver']);
    expect(cfn.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'Qw' });
  });

  it('assumes the default retention for a stack deployed before it had a JobRetentionDays output', async () => {
    // Prepare
    deployed(OUTPUTS);

    // Act
    const stack = await readStack(CONFIG, 'Qw', 'in us-east-1');

    // Assess
    expect(stack.retentionDays).toBe(DEFAULT_RETENTION_DAYS);
  });

  it('does without the RestApi id when the resource list cannot be read', async () => {
    // Prepare
    deployed(OUTPUTS);
    cfn.on(DescribeStackResourcesCommand).rejects(new Error('AccessDenied'));

    // Act
    const stack = await readStack(CONFIG, 'Qw', 'in us-east-1');

    // Assess
    expect(stack.restApiId).toBeUndefined();
  });

  it('exits 3 for a stack that does not exist, saying how to deploy one', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).rejects(
      new CloudFormationServiceException({
        name: 'ValidationError',
        message: 'Stack with id Nope does not exist',
        $fault: 'client',
        $metadata: {},
      }),
    );

    // Act
    const error = await readStack(CONFIG, 'Nope', 'in us-east-1').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.NO_TARGET,
      message: 'No stack "Nope" in us-east-1.',
      hint: expect.stringMatching(/npm run deploy.*--stack/),
    });
  });

  const without = (key: string) => Object.fromEntries(Object.entries(OUTPUTS).filter(([k]) => k !== key));
  it.each([
    { missing: 'ApiUrl', outputs: without('ApiUrl') },
    { missing: 'JobTableName', outputs: without('JobTableName') },
    {
      missing: 'QueueUrl*/DlqUrl*',
      outputs: Object.fromEntries(Object.entries(OUTPUTS).filter(([k]) => !/^(Queue|Dlq)Url/.test(k))),
    },
  ])('exits 3 for a stack without the $missing outputs: not a queue-workers stack', async ({ outputs }) => {
    // Prepare
    deployed(outputs);

    // Act
    const error = await readStack(CONFIG, 'Qw', 'on the emulator at http://127.0.0.1:4566').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.NO_TARGET,
      message: expect.stringMatching(
        /^Stack "Qw" on the emulator at http:\/\/127\.0\.0\.1:4566 is not a queue-workers stack/,
      ),
    });
  });

  it('maps a permission error reading the stack to exit 4', async () => {
    // Prepare
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));

    // Act
    const error = await readStack(CONFIG, 'Qw', 'in us-east-1').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.NO_PERMISSION,
      message: expect.stringMatching(/^Reading stack Qw in us-east-1: permission denied/),
    });
  });
});
