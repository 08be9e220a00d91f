import {
  CloudFormationClient,
  type CloudFormationClientConfig,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { jobTypeNames } from '../../lambda/jobs/registry.js';
import { JOB_EVENT_BUS_OUTPUT } from '../../lambda/shared/job-events.js';
import { type JobTypeQueues, jobTypeOfOutputSuffix, jobTypeOfQueueName, queueNameOf } from '../../ops/job-types.js';
import { CliError, EXIT, fromAwsError } from '../errors.js';

import { retentionDaysOf } from './retention.js';

/** What `qw` needs of a deployed queue-workers stack, read from CloudFormation. */
export interface DeployedStack {
  readonly stackName: string;
  /** The `ApiUrl` output: the job API's invoke URL. */
  readonly apiUrl: string;
  readonly tableName: string;
  readonly retentionDays: number;
  readonly types: readonly JobTypeQueues[];
  /** The `ScheduleGroupName` output: the group of the stack's schedules; absent when it has none. */
  readonly scheduleGroup?: string;
  /** The `JobEventBusName` output; absent on a stack deployed before job events. */
  readonly eventBusName?: string;
  /** The RestApi's physical id, which emulators serve the API by; absent when the resource list was not readable. */
  readonly restApiId?: string;
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

async function stackOutputs(
  cfn: CloudFormationClient,
  stackName: string,
  where: string,
): Promise<Record<string, string>> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((out.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
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
}

async function restApiIdOf(cfn: CloudFormationClient, stackName: string): Promise<string | undefined> {
  try {
    const res = await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }));
    return res.StackResources?.find((r) => r.ResourceType === 'AWS::ApiGateway::RestApi')?.PhysicalResourceId;
  } catch {
    // The outputs are enough on AWS; the resource list only helps emulators, whose ApiUrl is not served.
    return undefined;
  }
}

/**
 * Reads the stack `stackName` (`where` says where, for messages): its API,
 * table, retention and job types. A missing stack, or one without the
 * queue-workers outputs, is NO_TARGET.
 */
export async function readStack(
  config: CloudFormationClientConfig,
  stackName: string,
  where: string,
): Promise<DeployedStack> {
  const cfn = new CloudFormationClient(config);
  try {
    const outputs = await stackOutputs(cfn, stackName, where);
    const types = typesFromOutputs(outputs, stackName);
    const { ApiUrl: apiUrl, JobTableName: tableName } = outputs;
    if (!tableName || !apiUrl || !types.length) {
      throw new CliError(
        EXIT.NO_TARGET,
        `Stack "${stackName}" ${where} is not a queue-workers stack: it lacks the ApiUrl, JobTableName and QueueUrl*/DlqUrl* outputs.`,
      );
    }
    const restApiId = await restApiIdOf(cfn, stackName);
    const eventBusName = outputs[JOB_EVENT_BUS_OUTPUT];
    return {
      stackName,
      apiUrl,
      tableName,
      retentionDays: retentionDaysOf(outputs.JobRetentionDays),
      types,
      ...(outputs.ScheduleGroupName ? { scheduleGroup: outputs.ScheduleGroupName } : {}),
      ...(restApiId ? { restApiId } : {}),
      ...(eventBusName ? { eventBusName } : {}),
    };
  } finally {
    cfn.destroy();
  }
}
