import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobTypes } from '../../lambda/jobs/registry.js';
import { QueueWorkersStack, type QueueWorkersStackProps } from '../../lib/queue-workers-stack.js';
import { testApp } from '../helpers/cdk-app.js';

function synth(props: QueueWorkersStackProps = {}) {
  const app = testApp();
  const stack = new QueueWorkersStack(app, 'Test', props);
  return { stack, template: Template.fromStack(stack) };
}

type Resource = { Properties: Record<string, unknown> };

/** A function's construct id: its logical id without `Function` and CDK's hash (`WebhookDeliverWorker`). */
const constructOf = (logicalId: string) => logicalId.replace(/Function[0-9A-F]{8}$/, '');

/** The functions whose role may call `action`. */
function functionsAllowed(template: Template, action: string): string[] {
  const roles = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.PolicyDocument.Statement).includes(`"${action}"`))
    .flatMap((p) => (p.Properties.Roles as { Ref: string }[]).map((r) => r.Ref));
  return Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([, fn]) => roles.includes((fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] ?? ''))
    .map(([id]) => constructOf(id))
    .sort();
}

/** Every function's environment, by its construct id. */
function environments(template: Template): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => [
      constructOf(id),
      ((fn as Resource).Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    ]),
  );
}

describe('completion callbacks in the stack', () => {
  let template: Template;
  beforeAll(() => {
    ({ template } = synth());
  });

  it('generates a signing secret of 64 characters drawn one by one from the base64 alphabet alone', () => {
    // Prepare: the characters GenerateSecretString draws from, before exclusions
    const drawn = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!"#$%&'()*+,-./:;<=>?@[\\]^_\`{|}~`;

    // Act
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')) as Resource[];

    // Assess
    expect(secrets).toHaveLength(1);
    const generate = secrets[0]?.Properties.GenerateSecretString as Record<string, unknown>;
    expect(generate).toMatchObject({ PasswordLength: 64, RequireEachIncludedType: false });
    expect(generate).not.toHaveProperty('ExcludePunctuation');
    const left = [...drawn].filter((c) => !String(generate.ExcludeCharacters).includes(c)).join('');
    expect(left).toBe('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  });

  it('lets only the webhook.deliver worker read the secret, and tells it where the secret is', () => {
    const secret = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0] as string;

    expect(functionsAllowed(template, 'secretsmanager:GetSecretValue')).toEqual(['WebhookDeliverWorker']);
    expect(environments(template).WebhookDeliverWorker).toMatchObject({
      WEBHOOK_SIGNING_SECRET_ARN: { Ref: secret },
    });
    template.hasOutput('WebhookSigningSecretArn', { Value: { Ref: secret } });
  });

  it('lets every worker and the reconciler queue callbacks on the webhook.deliver queue, and no one else', () => {
    const queue = Object.keys(template.findResources('AWS::SQS::Queue')).find((id) =>
      /^WebhookDeliverQueue[0-9A-F]{8}$/.test(id),
    );
    const finishers = ['ImageThumbnailWorker', 'Reconciler', 'SimulateWorker', 'WebhookDeliverWorker'];

    const withUrl = Object.entries(environments(template))
      .filter(([, env]) => env.CALLBACK_QUEUE_URL !== undefined)
      .map(([path, env]) => {
        expect(env.CALLBACK_QUEUE_URL).toEqual({ Ref: queue });
        return path;
      });

    expect(withUrl.sort()).toEqual(finishers);
    const senders = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) =>
        (p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[]).some(
          (s) =>
            JSON.stringify(s.Action).includes('sqs:SendMessage') && JSON.stringify(s.Resource).includes(`"${queue}"`),
        ),
      )
      .map((p) => JSON.stringify(p.Properties.Roles));
    // The API sends jobs to the queue too; the callbacks add the workers and the reconciler.
    expect(senders).toHaveLength(finishers.length + 1);
  });

  it('has neither secret nor callback queue without a webhook.deliver job type', () => {
    const { template: bare } = synth({ jobTypes: jobTypes.filter((t) => t.name !== 'webhook.deliver') });

    bare.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(Object.values(environments(bare)).filter((env) => env.CALLBACK_QUEUE_URL !== undefined)).toEqual([]);
    expect(Object.keys(bare.findOutputs('WebhookSigningSecretArn'))).toEqual([]);
  });
});

describe('the settings for emulators and tests: allowPrivateNetworks and testOnlyCrashBetweenSteps', () => {
  it('are off by default: no function may call private networks, no request can crash the API, and synth does not warn', () => {
    const { stack, template } = synth();

    for (const env of Object.values(environments(template))) {
      expect(env).not.toHaveProperty('ALLOW_PRIVATE_NETWORKS');
      expect(env).not.toHaveProperty('QW_TEST_ONLY_CRASH_BETWEEN_STEPS');
    }
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('allowPrivateNetworks'));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('testOnlyCrashBetweenSteps'));
  });

  it('tell the API (and, for private networks, the workers), and warn at synth', () => {
    const { stack, template } = synth({ allowPrivateNetworks: true, testOnlyCrashBetweenSteps: 0 });

    const crashing = Object.entries(environments(template)).filter(
      ([, env]) => env.QW_TEST_ONLY_CRASH_BETWEEN_STEPS !== undefined,
    );
    expect(crashing).toEqual([['Api', expect.objectContaining({ QW_TEST_ONLY_CRASH_BETWEEN_STEPS: '0' })]]);
    Annotations.fromStack(stack).hasWarning('/Test', Match.stringLikeRegexp('testOnlyCrashBetweenSteps is set'));

    const told = Object.entries(environments(template))
      .filter(([, env]) => env.ALLOW_PRIVATE_NETWORKS === 'true')
      .map(([path]) => path)
      .sort();
    expect(told).toEqual(['Api', 'ImageThumbnailWorker', 'SimulateWorker', 'WebhookDeliverWorker']);
    Annotations.fromStack(stack).hasWarning('/Test', Match.stringLikeRegexp('allowPrivateNetworks is on'));
  });
});
