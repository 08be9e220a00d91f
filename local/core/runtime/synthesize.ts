import { ensureSynth, type SynthOptions } from '../synth.js';
import { type AssemblyStack, chooseStack } from '../template/assembly.js';
import type { RuntimeSettings } from './options.js';

/** Synthesizes the app when its sources changed, and picks the stack to run. */
export async function synthesize(settings: RuntimeSettings): Promise<AssemblyStack> {
  await ensureSynth({
    ...synthOptions(settings),
    mode: settings.synth,
    onStart: () => settings.output.info(`Synthesizing the CDK app into ${settings.outDir} ...`),
  });
  return chooseStack(settings.assemblyDir, settings.stack);
}

/** The synth options the runtime's settings give, for a first synth and for reloads. */
export function synthOptions(settings: RuntimeSettings): Omit<SynthOptions, 'mode'> {
  return {
    projectDir: settings.projectDir,
    outDir: settings.outDir,
    sources: settings.sources,
    env: settings.hostEnv,
    ...(settings.app !== undefined ? { app: settings.app } : {}),
  };
}
