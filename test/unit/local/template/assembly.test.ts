import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseStack, listStacks, loadPlan } from '../../../../local/core/template/assembly.js';

let dir: string;

/** A cloud assembly with these stacks: name, environment, resources. */
function assembly(stacks: { name: string; environment: string; resources: object }[]): void {
  const artifacts: Record<string, unknown> = { Tree: { type: 'cdk:tree' } };
  for (const s of stacks) {
    writeFileSync(path.join(dir, `${s.name}.template.json`), JSON.stringify({ Resources: s.resources }));
    artifacts[s.name] = {
      type: 'aws:cloudformation:stack',
      environment: s.environment,
      properties: { templateFile: `${s.name}.template.json` },
    };
  }
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ artifacts }));
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'qw-assembly-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('reading the cloud assembly', () => {
  it('lists its stacks with their regions, the local region for an environment-agnostic stack', () => {
    // Prepare
    assembly([
      { name: 'Pinned', environment: 'aws://123456789012/eu-west-1', resources: {} },
      { name: 'Agnostic', environment: 'aws://unknown-account/unknown-region', resources: {} },
    ]);
    // Act
    const stacks = listStacks(dir);
    // Assess
    expect(stacks).toEqual([
      { name: 'Pinned', templateFile: path.join(dir, 'Pinned.template.json'), region: 'eu-west-1' },
      { name: 'Agnostic', templateFile: path.join(dir, 'Agnostic.template.json'), region: 'us-east-1' },
    ]);
  });

  it('reads the plan of the only stack', () => {
    // Prepare
    assembly([{ name: 'Shop', environment: 'aws://1/eu-west-1', resources: { Orders: { Type: 'AWS::SQS::Queue' } } }]);
    // Act
    const plan = loadPlan(dir, undefined, (name) => `http://sqs/${name}`);
    // Assess
    expect(plan).toMatchObject({ stackName: 'Shop', region: 'eu-west-1', queues: [{ name: 'Shop-Orders' }] });
  });

  it('asks for --stack when the app has several, and names them', () => {
    // Prepare
    assembly([
      { name: 'A', environment: 'aws://1/eu-west-1', resources: {} },
      { name: 'B', environment: 'aws://1/eu-west-1', resources: {} },
    ]);
    // Act
    const choose = () => chooseStack(dir);
    // Assess
    expect(choose).toThrow('The app has several stacks (A, B); choose one with --stack.');
    expect(chooseStack(dir, 'B').name).toBe('B');
  });

  it('names the stacks there are when the one asked for is not there', () => {
    // Prepare
    assembly([{ name: 'A', environment: 'aws://1/eu-west-1', resources: {} }]);
    // Act
    const choose = () => chooseStack(dir, 'C');
    // Assess
    expect(choose).toThrow(`Stack "C" is not in ${dir}; it has: A.`);
  });

  it('says so when synthesis produced no assembly', () => {
    // Prepare
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    // Act
    const list = () => listStacks(empty);
    // Assess
    expect(list).toThrow(`No cloud assembly in ${empty}; synthesis did not produce one.`);
  });
});
