import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SignatureV4 } from '@smithy/signature-v4';
import { emulatorApiUrl, parseApiUrl } from '../emulator/api-url.js';
import { DEFAULT_ENDPOINT } from '../emulator/endpoint.js';
import { jobTypeNames } from '../lambda/jobs/registry.js';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../local/core/local-aws.js';
import {
  findJobType,
  type JobTypeQueues,
  jobTypeOfOutputSuffix,
  jobTypeOfQueueName,
  queueNameOf,
} from '../ops/job-types.js';
import { DEFAULT_STATE_FILE, isAlive, type LocalState, readLocalState } from '../ops/local-state.js';
import { queueIdentity } from '../ops/queue-stats.js';
import { CliError, EXIT, fromAwsError } from './errors.js';
import { cloudWatchRates } from './rates.js';

/** Where `qw` sends its calls. */
export type TargetKind = 'local' | 'emulator' | 'aws';

/** Age of the oldest message and finish rate of one job type; `null` where the target cannot tell. */
export interface Rates {
  readonly oldestAgeSeconds: number | null;
  readonly jobsPerSecond: number | null;
}

/** A JSON response of the job API. */
export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A resolved target: clients for its queues and table, its job API, and what it knows of rates. */
export interface Target {
  readonly kind: TargetKind;
  /** `local runtime at http://127.0.0.1:3000 (stack QueueWorkers)`, for messages. */
  readonly description: string;
  readonly region: string;
  readonly stackName: string;
  readonly sqs: SQSClient;
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly types: readonly JobTypeQueues[];
  /** Where `oldest` and `jobs/s` come from, said once under the table. */
  readonly ratesSource: string;
  /** Whether `dlq redrive` may fall back to a receive-send-delete loop (endpoints without StartMessageMoveTask). */
  readonly manualRedrive: boolean;
  /** Calls the job API (signed where the target needs it). */
  api(method: string, apiPath: string, body?: unknown): Promise<ApiResponse>;
  rates(): Promise<ReadonlyMap<string, Rates>>;
  /** The job type `name`, with its queue and DLQ ARNs and maxAttempts filled in. */
  jobType(name: string): Promise<Required<JobTypeQueues>>;
  close(): void;
}

/** Flags that choose the target. */
export interface TargetOptions {
  readonly target?: TargetKind;
  readonly endpoint?: string;
  readonly region?: string;
  readonly profile?: string;
  /** @default QueueWorkers */
  readonly stack?: string;
  readonly stateFile?: string;
  readonly apiKey?: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The stack `qw` looks for on an emulator or AWS when `--stack` is not given. */
export const DEFAULT_STACK = 'QueueWorkers';

/** Finds `.qw/local.json` in the working directory or the nearest parent that has one. */
export function findStateFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, DEFAULT_STATE_FILE);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Chooses and resolves the target. Explicit flags win: `--target`, then
 * `--endpoint` (emulator), then `--region`/`--profile`/`--stack` (AWS);
 * without any, the local runtime when one is running.
 */
export async function resolveTarget(options: TargetOptions): Promise<Target> {
  const kind: TargetKind | undefined =
    options.target ??
    (options.endpoint ? 'emulator' : options.region || options.profile || options.stack ? 'aws' : undefined);
  if (kind === 'emulator') return emulatorTarget(options);
  if (kind === 'aws') return awsTarget(options);
  const stateFile = options.stateFile ?? options.env.QW_STATE_FILE ?? findStateFile(options.cwd);
  const state = stateFile ? readLocalState(stateFile) : undefined;
  if (kind === 'local' || state) return localTarget(state, stateFile);
  throw new CliError(
    EXIT.NO_TARGET,
    'No local runtime is running, and no other target was given.',
    'Start one with `npm start`, or choose a target: --target emulator [--endpoint URL], or --region/--profile for AWS.',
  );
}

async function localTarget(state: LocalState | undefined, stateFile: string | undefined): Promise<Target> {
  const hint = 'Start it with `npm start` (it writes .qw/local.json), or choose --target emulator or aws.';
  if (!state) throw new CliError(EXIT.NO_TARGET, `No local runtime found (${stateFile ?? DEFAULT_STATE_FILE}).`, hint);
  const alive =
    isAlive(state.pid) &&
    (await fetch(`${state.url}/ui/api/overview`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.ok,
      () => false,
    ));
  if (!alive) {
    throw new CliError(EXIT.NO_TARGET, `The local runtime at ${state.url} (pid ${state.pid}) is not running.`, hint);
  }
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const sqs = new SQSClient({ region: state.region, endpoint: state.sqsEndpoint, credentials });
  const dynamodb = new DynamoDBClient({ region: state.region, endpoint: state.dynamodbEndpoint, credentials });
  return {
    kind: 'local',
    description: `local runtime at ${state.url} (stack ${state.stackName})`,
    region: state.region,
    stackName: state.stackName,
    sqs,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: state.tableName,
    types: state.types,
    ratesSource: `oldest: fauxqs's oldest SentTimestamp; jobs/s: messages the runtime's pollers deleted, last 10 s`,
    manualRedrive: true,
    api: (method, apiPath, body) => callApi(`${state.url}${apiPath}`, method, body),
    async rates() {
      const res = await fetch(`${state.url}/ui/api/overview`);
      const data = (await res.json()) as { queues: ({ type: string } & Rates)[] };
      return new Map(data.queues.map((q) => [q.type, q]));
    },
    jobType: (name) => completeJobType(sqs, state.types, name),
    close() {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

interface StackInfo {
  readonly outputs: Readonly<Record<string, string>>;
  readonly restApiId?: string;
}

async function describeStack(cfn: CloudFormationClient, stackName: string, where: string): Promise<StackInfo> {
  let outputs: Record<string, string>;
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  } catch (error) {
    if (/does not exist/i.test((error as Error).message ?? '')) {
      throw new CliError(
        EXIT.NO_TARGET,
        `No stack "${stackName}" ${where}.`,
        'Deploy it first (npm run deploy, or npm run deploy:local for an emulator), or name another with --stack.',
      );
    }
    throw fromAwsError(error, `Reading stack ${stackName} ${where}`);
  }
  let restApiId: string | undefined;
  try {
    const res = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    restApiId = res.StackResources?.find((r) => r.ResourceType === 'AWS::ApiGateway::RestApi')?.PhysicalResourceId;
  } catch {
    // The outputs are enough on AWS; the resource list only helps emulators, whose ApiUrl is not served.
  }
  return { outputs, ...(restApiId ? { restApiId } : {}) };
}

/**
 * Each job type's queue and DLQ from the stack outputs `QueueUrl<Type>` and
 * `DlqUrl<Type>`. The type's name is the registered one the output id was made
 * from (`webhook.deliver`, as `POST /jobs` takes it); a type this checkout does
 * not know falls back to its queue's name.
 */
export function typesFromOutputs(
  outputs: Readonly<Record<string, string>>,
  stackName: string,
  knownTypes: readonly string[] = jobTypeNames,
): JobTypeQueues[] {
  const types: JobTypeQueues[] = [];
  for (const [key, queueUrl] of Object.entries(outputs)) {
    if (!key.startsWith('QueueUrl')) continue;
    const suffix = key.slice('QueueUrl'.length);
    const dlqUrl = outputs[`DlqUrl${suffix}`];
    if (!dlqUrl) continue;
    const queueName = queueNameOf(queueUrl);
    types.push({
      type: jobTypeOfOutputSuffix(suffix, knownTypes) ?? jobTypeOfQueueName(queueName, stackName),
      queueName,
      queueUrl,
      dlqName: queueNameOf(dlqUrl),
      dlqUrl,
    });
  }
  return types.sort((a, b) => a.type.localeCompare(b.type));
}

async function stackTarget(
  options: TargetOptions,
  clientConfig: Record<string, unknown>,
  where: string,
): Promise<{ info: StackInfo; sqs: SQSClient; dynamodb: DynamoDBClient; stackName: string; types: JobTypeQueues[] }> {
  const stackName = options.stack ?? DEFAULT_STACK;
  const cfn = new CloudFormationClient(clientConfig);
  try {
    const info = await describeStack(cfn, stackName, where);
    const types = typesFromOutputs(info.outputs, stackName);
    if (!info.outputs.JobTableName || !info.outputs.ApiUrl || !types.length) {
      throw new CliError(
        EXIT.NO_TARGET,
        `Stack "${stackName}" ${where} is not a queue-workers stack: it lacks the ApiUrl, JobTableName and QueueUrl*/DlqUrl* outputs.`,
      );
    }
    return {
      info,
      stackName,
      types,
      sqs: new SQSClient(clientConfig),
      dynamodb: new DynamoDBClient(clientConfig),
    };
  } finally {
    cfn.destroy();
  }
}

async function emulatorTarget(options: TargetOptions): Promise<Target> {
  const endpoint = (options.endpoint ?? options.env.AWS_ENDPOINT_URL ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const region = options.region ?? LOCAL_REGION;
  // Emulators accept any keys; these can never reach an AWS account. A copy: SDK clients may write to theirs.
  const credentials = { ...THROWAWAY_CREDENTIALS };
  const where = `on the emulator at ${endpoint}`;
  const { info, sqs, dynamodb, stackName, types } = await stackTarget(
    options,
    { region, endpoint, credentials },
    where,
  );
  let api: { restApiId: string; stage: string };
  try {
    api = parseApiUrl(info.outputs.ApiUrl ?? '');
  } catch (error) {
    sqs.destroy();
    dynamodb.destroy();
    throw new CliError(EXIT.NO_TARGET, `Stack "${stackName}" ${where}: ${(error as Error).message}`);
  }
  const { stage, restApiId } = api;
  const apiBase = emulatorApiUrl(endpoint, info.restApiId ?? restApiId, stage);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256 });
  return {
    kind: 'emulator',
    description: `stack ${stackName} ${where}`,
    region,
    stackName,
    sqs,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: info.outputs.JobTableName as string,
    types,
    ratesSource: 'oldest and jobs/s: n/a on an emulator (no CloudWatch metrics)',
    manualRedrive: true,
    api: (method, apiPath, body) => callApi(`${apiBase}${apiPath}`, method, body, { signer }),
    rates: async () => new Map(types.map((t) => [t.type, { oldestAgeSeconds: null, jobsPerSecond: null }])),
    jobType: (name) => completeJobType(sqs, types, name),
    close() {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

async function awsTarget(options: TargetOptions): Promise<Target> {
  const region = options.region ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION;
  const clientConfig = {
    ...(region ? { region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  };
  const probe = new SQSClient(clientConfig);
  let resolvedRegion: string;
  try {
    resolvedRegion = await probe.config.region();
  } catch {
    throw new CliError(EXIT.USAGE, 'No AWS region: pass --region, or set AWS_REGION or a region in your profile.');
  } finally {
    probe.destroy();
  }
  const where = `in ${resolvedRegion}${options.profile ? ` (profile ${options.profile})` : ''}`;
  const { info, sqs, dynamodb, stackName, types } = await stackTarget(
    options,
    { ...clientConfig, region: resolvedRegion },
    where,
  );
  const apiBase = (info.outputs.ApiUrl ?? '').replace(/\/+$/, '');
  const apiKey = options.apiKey ?? options.env.QW_API_KEY;
  const signer = apiKey
    ? undefined
    : new SignatureV4({
        service: 'execute-api',
        region: resolvedRegion,
        credentials: sqs.config.credentials,
        sha256: Sha256,
      });
  return {
    kind: 'aws',
    description: `stack ${stackName} ${where}`,
    region: resolvedRegion,
    stackName,
    sqs,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: info.outputs.JobTableName as string,
    types,
    ratesSource:
      'oldest: CloudWatch ApproximateAgeOfOldestMessage (latest minute); jobs/s: NumberOfMessagesDeleted, last 5 min',
    manualRedrive: false,
    api: (method, apiPath, body) =>
      callApi(`${apiBase}${apiPath}`, method, body, {
        ...(signer ? { signer } : {}),
        ...(apiKey ? { headers: { 'x-api-key': apiKey } } : {}),
      }),
    rates: () => cloudWatchRates({ ...clientConfig, region: resolvedRegion }, types),
    jobType: (name) => completeJobType(sqs, types, name),
    close() {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

/** The job type `name` with ARNs and maxAttempts, read from SQS where the target did not say. */
async function completeJobType(
  sqs: SQSClient,
  types: readonly JobTypeQueues[],
  name: string,
): Promise<Required<JobTypeQueues>> {
  const t = findJobType(types, name);
  if (!t) {
    throw new CliError(EXIT.NOT_FOUND, `No job type "${name}". Known types: ${types.map((x) => x.type).join(', ')}.`);
  }
  if (t.queueArn && t.dlqArn && t.maxAttempts) return t as Required<JobTypeQueues>;
  try {
    const [queue, dlq] = await Promise.all([queueIdentity(sqs, t.queueUrl), queueIdentity(sqs, t.dlqUrl)]);
    return { ...t, queueArn: queue.arn, dlqArn: dlq.arn, maxAttempts: t.maxAttempts ?? queue.maxReceiveCount ?? 1 };
  } catch (error) {
    throw fromAwsError(error, `Reading the queues of ${t.type}`);
  }
}

/** Calls the job API: plain on the local runtime, SigV4-signed (IAM auth) or with an API key elsewhere. */
async function callApi(
  url: string,
  method: string,
  body: unknown,
  auth: { signer?: SignatureV4; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const target = new URL(url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  let headers: Record<string, string> = {
    host: target.host,
    ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
    ...auth.headers,
  };
  if (auth.signer) {
    const signed = await auth.signer.sign({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: decodeURIComponent(target.pathname),
      query: Object.fromEntries(target.searchParams),
      headers,
      ...(text !== undefined ? { body: text } : {}),
    });
    headers = signed.headers as Record<string, string>;
  }
  const { host: _host, ...send } = headers;
  let res: Response;
  try {
    res = await fetch(target, {
      method,
      headers: send,
      ...(text !== undefined ? { body: text } : {}),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new CliError(EXIT.NO_TARGET, `The job API at ${target.origin} is not reachable: ${(error as Error).message}`);
  }
  const raw = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
  } catch {
    parsed = { message: raw };
  }
  if (res.status === 403) {
    const message = (parsed.message as string | undefined) ?? (parsed.Message as string | undefined) ?? raw;
    throw new CliError(
      EXIT.NO_PERMISSION,
      `The job API refused the call (403): ${message}`,
      'The API uses IAM auth by default: your credentials need execute-api:Invoke; with -c auth=apiKey pass --api-key.',
    );
  }
  return { status: res.status, body: parsed };
}
