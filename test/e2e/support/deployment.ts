import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  type StackResource,
} from '@aws-sdk/client-cloudformation';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteBucketCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { emulatorApiUrl, parseApiUrl } from '../../../emulator/api-url.js';
import { deployLocal, destroyLocal, type LocalDeployOptions } from '../../../emulator/deploy.js';
import { checkLocalEndpoint, DEFAULT_ENDPOINT } from '../../../emulator/endpoint.js';
import { isHealthy } from '../../../emulator/health.js';
import { startMinistack } from '../../../emulator/ministack.js';
import { PROJECT_ROOT } from '../../../emulator/paths.js';
import type { RunningEmulator } from '../../../emulator/running.js';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../../local/core/local-aws.js';

/** A stack deployed to an emulator for one test file, and the clients to inspect it. */
export interface E2eDeployment {
  readonly endpoint: string;
  /** `ministack` when this run started the emulator; `external` when it reused one. */
  readonly emulator: 'ministack' | 'external';
  readonly stackName: string;
  /** Stack outputs, read back with CloudFormation DescribeStacks. */
  readonly outputs: Readonly<Record<string, string>>;
  readonly resources: readonly StackResource[];
  /** The job API's base URL on the emulator (no trailing slash). */
  readonly apiBase: string;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly cloudFormation: CloudFormationClient;
  /** Seconds, measured: emulator start (0 when reused), bootstrap, deploy. */
  readonly timings: {
    readonly emulatorSeconds: number;
    readonly bootstrapSeconds: number;
    readonly deploySeconds: number;
  };
  /** Where the emulator's and the CDK CLI's output went. */
  readonly logDir: string;
  /** The physical id of the stack resource whose logical id starts with `prefix`. */
  physicalId(type: string, logicalIdPrefix: string): string;
  /** Destroys the stack, removes what it retains, and stops the emulator if this run started it. */
  teardown(): Promise<void>;
}

function clientConfig(endpoint: string) {
  return { endpoint, region: LOCAL_REGION, credentials: { ...THROWAWAY_CREDENTIALS } };
}

/**
 * Brings an emulator up and deploys the unchanged app to it with `deploy:local`'s
 * code path. An emulator already answering at E2E_ENDPOINT (or AWS_ENDPOINT_URL,
 * or 127.0.0.1:4566) is reused; otherwise the pinned ministack is started on a
 * free port. Each run deploys a stack of its own name, so runs never collide.
 * `context` is passed to the app as `-c key=value`.
 */
export async function deployForE2e(options: Pick<LocalDeployOptions, 'app' | 'context'> = {}): Promise<E2eDeployment> {
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const logDir = path.join(PROJECT_ROOT, '.qw', 'e2e', runId);
  const requested = process.env.E2E_ENDPOINT ?? process.env.AWS_ENDPOINT_URL;
  let emulator: RunningEmulator | undefined;
  let endpoint = (requested ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  checkLocalEndpoint(endpoint, process.env.DEPLOY_LOCAL_ALLOW_NON_LOOPBACK === '1');
  let started = Date.now();
  if (!(await isHealthy(endpoint))) {
    const port = requested ? Number(new URL(endpoint).port || 80) : await freePort();
    emulator = await startMinistack({ port, logFile: path.join(logDir, 'emulator.log') });
    endpoint = emulator.endpoint;
  }
  const emulatorSeconds = emulator ? (Date.now() - started) / 1000 : 0;
  const stackName = `QwE2e${runId}`;
  const cloudFormation = new CloudFormationClient(clientConfig(endpoint));
  const dynamodb = new DynamoDBClient(clientConfig(endpoint));
  const sqs = new SQSClient(clientConfig(endpoint));
  const stopEmulator = async () => {
    await emulator?.stop();
  };
  try {
    started = Date.now();
    const deployed = await deployLocal({ ...options, endpoint, stackName, logFile: path.join(logDir, 'cdk.log') });
    const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Object.fromEntries(
      (described.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
    const resources =
      (await cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
    const physicalId = (type: string, prefix: string): string => {
      const found = resources.find((r) => r.ResourceType === type && r.LogicalResourceId?.startsWith(prefix));
      if (!found?.PhysicalResourceId) throw new Error(`Stack ${stackName} has no ${type} named ${prefix}*.`);
      return found.PhysicalResourceId;
    };
    // The ApiUrl output names execute-api.amazonaws.com; the emulator serves the API by its RestApi id.
    const restApiId = physicalId('AWS::ApiGateway::RestApi', 'Api');
    const { stage } = parseApiUrl(outputs.ApiUrl ?? '');
    const tableName = outputs.JobTableName;
    return {
      endpoint,
      emulator: emulator ? 'ministack' : 'external',
      stackName,
      outputs,
      resources,
      apiBase: emulatorApiUrl(endpoint, restApiId, stage),
      sqs,
      dynamodb,
      cloudFormation,
      timings: { emulatorSeconds, bootstrapSeconds: deployed.bootstrapSeconds, deploySeconds: deployed.deploySeconds },
      logDir,
      physicalId,
      async teardown() {
        try {
          await destroyLocal({ ...options, endpoint, stackName, logFile: path.join(logDir, 'cdk.log') });
          // The job table and the bucket are RETAINed by design; on a reused emulator, remove them so runs
          // leave nothing behind.
          if (tableName && !emulator) await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
          if (outputs.BucketName && !emulator) await removeBucket(endpoint, outputs.BucketName);
        } finally {
          await stopEmulator();
        }
      },
    };
  } catch (error) {
    await stopEmulator();
    throw error;
  }
}

/** Empties and deletes a bucket. */
async function removeBucket(endpoint: string, bucket: string): Promise<void> {
  const s3 = new S3Client({ ...clientConfig(endpoint), forcePathStyle: true });
  try {
    for (;;) {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const keys = (page.Contents ?? []).map((o) => ({ Key: o.Key }));
      if (!keys.length) break;
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }));
    }
    await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
  } finally {
    s3.destroy();
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
