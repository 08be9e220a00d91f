import { Sha256 } from '@aws-crypto/sha256-js';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SignatureV4 } from '@smithy/signature-v4';
import { callApi } from '../api.js';
import { CliError, EXIT } from '../errors.js';
import { cloudWatchRates } from '../rates.js';
import { dataClients } from './clients.js';
import { busTapFeed } from './event-tap.js';
import { completeJobType } from './job-type.js';
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
  const apiBase = stack.apiUrl.replace(/\/+$/, '');
  const apiKey = options.apiKey ?? options.env.QW_API_KEY;
  const signer = apiKey
    ? undefined
    : new SignatureV4({ service: 'execute-api', region, credentials: sqs.config.credentials, sha256: Sha256 });
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
    api: (method, apiPath, body) =>
      callApi(`${apiBase}${apiPath}`, method, body, {
        ...(signer ? { signer } : {}),
        ...(apiKey ? { headers: { 'x-api-key': apiKey } } : {}),
      }),
    rates: () => cloudWatchRates(clientConfig, stack.types),
    ...(stack.eventBusName ? { events: busTapFeed(clientConfig, sqs, stack.eventBusName) } : {}),
    jobType: (name) => completeJobType(sqs, stack.types, name),
    close,
  };
}
