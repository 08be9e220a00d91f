/**
 * A change to function code alone is served without a synth: the runtime
 * rebuilds just the bundles built from the changed file, with their own esbuild
 * options, and reloads those functions; everything else keeps running.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/index.js';
import { apiClient, captureOutput, startFixtureRuntime } from './helpers.js';

const output = captureOutput();
let runtime: LocalRuntime;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  runtime = await startFixtureRuntime({ watch: true, output });
  api = apiClient(runtime);
}, 180_000);

afterAll(async () => {
  await runtime?.stop();
});

const codeDirOf = (name: string) => runtime.plan().functions.find((f) => f.displayName.endsWith(name))?.codeDir;

describe('reloading function code', () => {
  it('rebuilds only the API bundle for a change to API code, and serves it without a synth', async () => {
    const workerBefore = codeDirOf('SimulateWorker');
    const seen = output.lines.length;

    await runtime.reload([path.resolve('lambda/api/routes.ts')]);

    const lines = output.lines.slice(seen);
    expect(lines.join('\n')).not.toMatch(/synthesizing/);
    expect(lines).toContainEqual(expect.stringMatching(/^Reloaded in .*reloaded Api \(function code only/));
    expect(codeDirOf('Api')).toContain(path.join('.qw', 'bundles'));
    expect(codeDirOf('SimulateWorker')).toBe(workerBefore);
    const jobId = await api.submit({ type: 'simulate', payload: {} });
    expect((await api.settled(jobId)).status).toBe('succeeded');
  });

  it('rebuilds every bundle built from a shared file, here both workers', async () => {
    const seen = output.lines.length;

    await runtime.reload([path.resolve('lambda/worker/process.ts')]);

    const reloaded = output.lines.slice(seen).join('\n');
    expect(reloaded).toMatch(/reloaded SimulateWorker/);
    expect(reloaded).toMatch(/reloaded WebhookDeliverWorker/);
    expect(reloaded).not.toMatch(/reloaded Api/);
    const jobId = await api.submit({ type: 'simulate', payload: {} });
    expect((await api.settled(jobId)).status).toBe('succeeded');
  });

  it("ignores an editor's swap file that is already gone", async () => {
    const seen = output.lines.length;

    await runtime.reload([path.resolve('lambda/api/.routes.ts.swp')]);

    expect(output.lines.slice(seen)).toEqual([]);
  });
});
