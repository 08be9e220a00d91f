import { buildPlan } from '../../../../local/core/template/build-plan.js';
import type { CfnResource, CfnTemplate } from '../../../../local/core/template/cfn.js';

/** The stack every hand-written template here is read as. */
export const STACK = { stackName: 'Shop', region: 'eu-west-1', outDir: '/assembly' } as const;

/** The local URL the plan gives a queue, as the emulator would. */
export const queueUrlOf = (name: string) => `http://127.0.0.1:4566/000000000000/${name}`;

/** A template of these resources. */
export function template(resources: Record<string, CfnResource>, parameters?: CfnTemplate['Parameters']): CfnTemplate {
  return { Resources: resources, ...(parameters ? { Parameters: parameters } : {}) };
}

/** The plan of a template of these resources, read as {@link STACK}. */
export function planOf(resources: Record<string, CfnResource>, parameters?: CfnTemplate['Parameters']) {
  return buildPlan(template(resources, parameters), { ...STACK, queueUrl: queueUrlOf });
}

/** A Node.js function as CDK synthesizes it: bundled asset, construct path, and any other properties. */
export function nodeFunction(
  properties: Record<string, unknown> = {},
  path = 'Shop/Orders/Handler/Resource',
): CfnResource {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler', ...properties },
    Metadata: { 'aws:cdk:path': path, 'aws:asset:path': 'asset.0123abcd' },
  };
}
