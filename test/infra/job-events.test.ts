import type { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { jobTypes } from '../../lambda/jobs/registry.js';
import { QueueWorkersStack, type QueueWorkersStackProps } from '../../lib/queue-workers-stack.js';
import { testApp } from '../helpers/cdk-app.js';

function synth(props: QueueWorkersStackProps = {}) {
  const app = testApp();
  const stack = new QueueWorkersStack(app, 'Test', props);
  return { app, template: Template.fromStack(stack) };
}

type Statement = { Action: string | string[]; Resource: unknown };

/** The events:* statements of each function's role policy, by the function's description. */
function eventGrants(template: Template): Map<string, Statement[]> {
  const functions = template.findResources('AWS::Lambda::Function');
  const policies = Object.values(template.findResources('AWS::IAM::Policy'));
  const grants = new Map<string, Statement[]>();
  for (const fn of Object.values(functions)) {
    const role = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = policies
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('events:')));
    grants.set(String(fn.Properties.Description), statements);
  }
  return grants;
}

describe('job events', () => {
  let template: Template;
  let app: App;
  let bus: string;
  beforeAll(() => {
    ({ template, app } = synth());
    const buses = Object.keys(template.findResources('AWS::Events::EventBus'));
    expect(buses).toHaveLength(1);
    bus = buses[0] as string;
  });

  it('has a bus of its own, named in the JobEventBusName output', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: Match.stringLikeRegexp('JobEventsBus') });
    template.hasOutput('JobEventBusName', { Value: { Ref: bus } });
  });

  it('lets each worker and the reconciler put events on that bus only, and tells them its name', () => {
    const grants = eventGrants(template);
    const finishers = [...jobTypes.map((t) => `queue-workers worker for job type ${t.name}`)];
    finishers.push('queue-workers reconciler: fails jobs whose worker stopped during their last attempt');
    for (const description of finishers) {
      expect(grants.get(description), description).toEqual([
        expect.objectContaining({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [bus, 'Arn'] } }),
      ]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: description,
        Environment: { Variables: Match.objectLike({ JOB_EVENT_BUS_NAME: { Ref: bus } }) },
      });
    }
  });

  it('gives the API no permission on the bus, and sets no size limit variable by default', () => {
    expect(eventGrants(template).get('queue-workers HTTP job API')).toEqual([]);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    for (const fn of functions) {
      expect(fn.Properties.Environment?.Variables ?? {}).not.toHaveProperty('JOB_EVENT_MAX_BYTES');
    }
  });

  it('passes a chosen size limit to every publisher', () => {
    const { template: limited } = synth({ jobEvents: { maxEventBytes: 256 * 1024 } });

    const publishers = Object.values(limited.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.JOB_EVENT_BUS_NAME,
    );
    expect(publishers).toHaveLength(jobTypes.length + 1);
    for (const fn of publishers) expect(fn.Properties.Environment.Variables.JOB_EVENT_MAX_BYTES).toBe('262144');
  });

  it.each([
    [0, /from 256 to 1048576/],
    [2 * 1024 * 1024, /EventBridge's limit per event/],
    [1000.5, /whole number of bytes/],
  ])('refuses maxEventBytes %s at synth, saying what is allowed', (maxEventBytes, message) => {
    expect(() => synth({ jobEvents: { maxEventBytes } })).toThrow(message);
  });

  it("still passes cdk-nag's AwsSolutions pack with the bus", () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
  });
});
