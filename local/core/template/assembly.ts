import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { LOCAL_REGION } from '../local-aws.js';
import type { LocalPlan } from '../plan.js';
import { buildPlan } from './build-plan.js';
import type { CfnTemplate } from './cfn.js';

/** A stack of a cloud assembly. */
export interface AssemblyStack {
  readonly name: string;
  readonly templateFile: string;
  /** The stack's region; the local region when the app leaves it to the environment. */
  readonly region: string;
}

/** Reads the cloud assembly's manifest and returns the stacks it holds. */
export function listStacks(outDir: string): AssemblyStack[] {
  const manifestFile = path.join(outDir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`No cloud assembly in ${outDir}; synthesis did not produce one.`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as {
    artifacts?: Record<string, { type: string; environment?: string; properties?: { templateFile?: string } }>;
  };
  return Object.entries(manifest.artifacts ?? {}).flatMap(([name, artifact]) => {
    const templateFile = artifact.properties?.templateFile;
    if (artifact.type !== 'aws:cloudformation:stack' || !templateFile) return [];
    // aws://<account>/<region>
    const region = artifact.environment?.split('/')[3];
    return [
      {
        name,
        templateFile: path.join(outDir, templateFile),
        region: region && region !== 'unknown-region' ? region : LOCAL_REGION,
      },
    ];
  });
}

/** The stack called `stackName`, or the only one; an error says which stacks there are. */
export function chooseStack(outDir: string, stackName?: string): AssemblyStack {
  const stacks = listStacks(outDir);
  const stack = stackName ? stacks.find((s) => s.name === stackName) : stacks.length === 1 ? stacks[0] : undefined;
  if (stack) return stack;
  const names = stacks.map((s) => s.name).join(', ') || 'none';
  throw new Error(
    stackName
      ? `Stack "${stackName}" is not in ${outDir}; it has: ${names}.`
      : `The app has several stacks (${names}); choose one with --stack.`,
  );
}

/** The plan for stack `stackName` (or the only stack) of the cloud assembly in `outDir`. */
export function loadPlan(outDir: string, stackName?: string, queueUrl = (name: string) => name): LocalPlan {
  const stack = chooseStack(outDir, stackName);
  const template = JSON.parse(readFileSync(stack.templateFile, 'utf8')) as CfnTemplate;
  return buildPlan(template, { stackName: stack.name, region: stack.region, outDir, queueUrl });
}
