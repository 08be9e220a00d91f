import { SQSClient } from '@aws-sdk/client-sqs';
import { callApi, jobApi } from '../api.js';
import { CliError, EXIT } from '../errors.js';
import { cloudWatchRates } from '../rates.js';
import { dataClients } from './clients.js';
import { busTapFeed } from './event-tap.js';
import { completeJobType } from './job-type.js';
import { deployedSchedules } from './schedules.js';
import { readStack } from './stack.js';
import { DEFAULT_STACK, type Target, type TargetOptions } from './target.js';

/** The region the SDK resolves from `config` (flag, environment, profile); USAGE when there is none. */
async function resolveRegion(config: { region?: string; profile?: string }): Promise<string> {
  const probe = new SQSClient(config);
  try {
    return await probe.config.region();
  } catch {
    throw new CliError(EXIT.USAGE, 'No AWS region: pass --region, or set AWS_REGION or a region in your profile.');
  } finally {
    probe.destroy();
  }
}

/**
 * A stack on AWS, found with the SDK's usual configuration (`--region`,
 * `--profile`, the environment): its API SigV4-signed with the caller's
 * credentials, or with `--api-key`/QW_API_KEY; rates from CloudWatch.
 */
export async function awsTarget(options: TargetOptions): Promise<Target> {
  const requested = options.region ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION;
  const profile = options.profile ? { profile: options.profile } : {};
  const region = await resolveRegion({ ...(requested ? { region: requested } : {}), ...profile });
  const clientConfig = { ...profile, region };
  const where = `in ${region}${options.profile ? ` (profile ${options.profile})` : ''}`;
  const stack = await readStack(clientConfig, options.stack ?? DEFAULT_STACK, where);
  const { sqs, doc, close } = dataClients(clientConfig);
  const apiKey = options.apiKey ?? options.env.QW_API_KEY;
  // The SDK's credentials for the profile and region, which the client asks again before they expire.
  const jobs = jobApi(stack.apiUrl, apiKey ? { apiKey } : { iam: sqs.config.credentials, region });
  return {
    kind: 'aws',
    description: `stack ${stack.stackName} ${where}`,
    region,
    stackName: stack.stackName,
    sqs,
    doc,
    tableName: stack.tableName,
    retentionDays: stack.retentionDays,
    types: stack.types,
    ratesSource:
      'oldest: CloudWatch ApproximateAgeOfOldestMessage (latest minute); jobs/s: NumberOfMessagesDeleted, last 5 min',
    manualRedrive: false,
    jobs,
    api: (method, apiPath, body) => callApi(jobs, method, apiPath, body),
    rates: () => cloudWatchRates(clientConfig, stack.types),
    schedules: () => deployedSchedules(clientConfig, stack.scheduleGroup),
    ...(stack.eventBusName ? { events: busTapFeed(clientConfig, sqs, stack.eventBusName) } : {}),
    jobType: (name) => completeJobType(sqs, stack.types, name),
    close,
  };
}
