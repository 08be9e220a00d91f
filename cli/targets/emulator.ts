import { emulatorApiUrl, parseApiUrl } from '../../emulator/api-url.js';
import { DEFAULT_ENDPOINT } from '../../emulator/endpoint.js';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../local/core/local-aws.js';
import { callApi, jobApi } from '../api.js';
import { CliError, EXIT } from '../errors.js';
import { dataClients } from './clients.js';
import { busTapFeed } from './event-tap.js';
import { completeJobType } from './job-type.js';
import { deployedSchedules } from './schedules.js';
import { readStack } from './stack.js';
import { DEFAULT_STACK, type Target, type TargetOptions } from './target.js';

/**
 * A stack deployed to a LocalStack-compatible emulator (`--endpoint`, else
 * AWS_ENDPOINT_URL, else 127.0.0.1:4566): its API by the path form emulators
 * serve, signed with throwaway keys; no CloudWatch rates.
 */
export async function emulatorTarget(options: TargetOptions): Promise<Target> {
  const endpoint = (options.endpoint ?? options.env.AWS_ENDPOINT_URL ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  const region = options.region ?? LOCAL_REGION;
  // Emulators accept any keys; these can never reach an AWS account. A copy: SDK clients may write to theirs.
  const credentials = { ...THROWAWAY_CREDENTIALS };
  const where = `on the emulator at ${endpoint}`;
  const stack = await readStack({ region, endpoint, credentials }, options.stack ?? DEFAULT_STACK, where);
  let api: { restApiId: string; stage: string };
  try {
    api = parseApiUrl(stack.apiUrl);
  } catch (error) {
    throw new CliError(EXIT.NO_TARGET, `Stack "${stack.stackName}" ${where}: ${(error as Error).message}`);
  }
  const apiBase = emulatorApiUrl(endpoint, stack.restApiId ?? api.restApiId, api.stage);
  const jobs = jobApi(apiBase, { iam: credentials, region });
  const { sqs, doc, close } = dataClients({ region, endpoint, credentials });
  return {
    kind: 'emulator',
    description: `stack ${stack.stackName} ${where}`,
    region,
    stackName: stack.stackName,
    sqs,
    doc,
    tableName: stack.tableName,
    retentionDays: stack.retentionDays,
    types: stack.types,
    ratesSource: 'oldest and jobs/s: n/a on an emulator (no CloudWatch metrics)',
    manualRedrive: true,
    jobs,
    api: (method, apiPath, body) => callApi(jobs, method, apiPath, body),
    ...(stack.eventBusName ? { events: busTapFeed({ region, endpoint, credentials }, sqs, stack.eventBusName) } : {}),
    rates: async () => new Map(stack.types.map((t) => [t.type, { oldestAgeSeconds: null, jobsPerSecond: null }])),
    schedules: () => deployedSchedules({ region, endpoint, credentials }, stack.scheduleGroup),
    jobType: (name) => completeJobType(sqs, stack.types, name),
    close,
  };
}
