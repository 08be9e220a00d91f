// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub strings use CloudFormation's ${...} syntax.
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFunction, planOf, STACK } from './fixtures.js';

const queue = { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'orders' } };
const table = { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'jobs' } };

describe('reading functions', () => {
  it('runs the bundled asset from the cloud assembly, with its handler, runtime, timeout, memory and architecture', () => {
    // Act
    const [fn] = planOf({
      Handler: nodeFunction({
        Handler: 'main.run',
        Timeout: 30,
        MemorySize: 512,
        Architectures: ['arm64'],
        ReservedConcurrentExecutions: 2,
      }),
    }).functions;
    // Assess
    expect(fn).toEqual({
      logicalId: 'Handler',
      displayName: 'Orders/Handler',
      functionName: 'Shop-Handler',
      arn: 'arn:aws:lambda:eu-west-1:000000000000:function:Shop-Handler',
      codeDir: path.resolve(STACK.outDir, 'asset.0123abcd'),
      handler: 'main.run',
      runtime: 'nodejs24.x',
      timeoutSeconds: 30,
      memoryMb: 512,
      architecture: 'arm64',
      environment: {},
      reservedConcurrency: 2,
    });
  });

  it("takes Lambda's defaults for what the template leaves out: 3 s, 128 MB, x86_64, index.handler", () => {
    // Act
    const [fn] = planOf({
      Handler: { ...nodeFunction(), Properties: { Runtime: 'nodejs22.x', FunctionName: 'orders-handler' } },
    }).functions;
    // Assess
    expect(fn).toMatchObject({
      functionName: 'orders-handler',
      handler: 'index.handler',
      architecture: 'x86_64',
      timeoutSeconds: 3,
      memoryMb: 128,
    });
  });

  it('drops /Resource and a trailing /Function from the construct path for its display name', () => {
    // Act
    const [fn] = planOf({ Handler: nodeFunction({}, 'Shop/Workers/simulate/Function/Resource') }).functions;
    // Assess
    expect(fn?.displayName).toBe('Workers/simulate');
  });
});

describe("reading a function's environment", () => {
  it('resolves Ref, Fn::GetAtt, Fn::Join and Fn::Sub in the environment to the local resources', () => {
    // Act
    const [fn] = planOf({
      Orders: queue,
      Jobs: table,
      Handler: nodeFunction({
        Environment: {
          Variables: {
            QUEUE_URL: { Ref: 'Orders' },
            TABLE: { Ref: 'Jobs' },
            TABLE_ARN: { 'Fn::GetAtt': ['Jobs', 'Arn'] },
            JOINED: { 'Fn::Join': ['|', [{ Ref: 'AWS::Region' }, { 'Fn::GetAtt': ['Orders', 'QueueName'] }]] },
            SUBBED: { 'Fn::Sub': 'arn=${Orders.Arn};stack=${AWS::StackName}' },
            SUB_VARS: { 'Fn::Sub': ['${Url}?table=${Jobs}', { Url: { Ref: 'Orders' } }] },
            PLAIN: 'text',
          },
        },
      }),
    }).functions;
    // Assess
    expect(fn?.environment).toEqual({
      QUEUE_URL: 'http://127.0.0.1:4566/000000000000/orders',
      TABLE: 'jobs',
      TABLE_ARN: 'arn:aws:dynamodb:eu-west-1:000000000000:table/jobs',
      JOINED: 'eu-west-1|orders',
      SUBBED: 'arn=arn:aws:sqs:eu-west-1:000000000000:orders;stack=Shop',
      SUB_VARS: 'http://127.0.0.1:4566/000000000000/orders?table=jobs',
      PLAIN: 'text',
    });
  });

  it('leaves a variable it cannot resolve empty, and notes why', () => {
    // Act
    const plan = planOf({
      Handler: nodeFunction({ Environment: { Variables: { SHARED: { 'Fn::ImportValue': 'shared-bucket' } } } }),
    });
    // Assess
    expect(plan.functions[0]?.environment.SHARED).toBe('');
    expect(plan.notes).toEqual([
      'Function Orders/Handler: SHARED left empty: Fn::ImportValue is not supported by the local runtime.',
    ]);
  });

  it('keeps a placeholder for a resource that is not emulated, and notes it', () => {
    // Act
    const plan = planOf({
      Alerts: { Type: 'AWS::SNS::Topic' },
      Handler: nodeFunction({ Environment: { Variables: { TOPIC: { Ref: 'Alerts' } } } }),
    });
    // Assess
    expect(plan.functions[0]?.environment.TOPIC).toBe('arn:aws:sns:eu-west-1:000000000000:Shop-Alerts');
    expect(plan.notes).toEqual([
      'Function Orders/Handler: TOPIC names AWS::SNS::Topic Alerts, which is not emulated locally.',
    ]);
  });

  it('leaves out functions of other runtimes and functions without a bundled asset, noting each', () => {
    // Act
    const plan = planOf({
      Python: { ...nodeFunction({ Runtime: 'python3.13' }, 'Shop/Py/Resource') },
      Image: { Type: 'AWS::Lambda::Function', Properties: { PackageType: 'Image' }, Metadata: {} },
      Inline: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs24.x' } },
    });
    // Assess
    expect(plan.functions).toEqual([]);
    expect(plan.notes).toEqual([
      'Function Py: runtime "python3.13" is not run locally.',
      'Function Image: runtime "container image" is not run locally.',
      'Function Inline: no bundled asset in the cloud assembly; it is not run locally.',
    ]);
  });
});
