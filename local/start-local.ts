import { ENV } from '../lambda/shared/config.js';
import { operatorConsole } from './console/console.js';
import type { RuntimeOptions } from './core/runtime/options.js';
import { type LocalRuntime, startRuntime } from './core/runtime/runtime.js';

/** Options of {@link startLocal}: the runtime's, and where the console writes the state `qw` reads. */
export interface LocalOptions extends Omit<RuntimeOptions, 'extensions'> {
  /**
   * Where to write where this runtime's API, queues and table are, so that `qw`
   * finds it; removed on stop. A path is taken relative to the state directory.
   * `npm start` passes `local.json`; runtimes started from code (tests,
   * benchmarks) must not take over the file a developer's `qw` reads.
   * @default false - no file
   */
  readonly stateFile?: string | false;
}

/**
 * Runs queue-workers locally: the general runtime (`core/`) with this app's
 * operator console (`console/`) plugged in.
 */
export function startLocal(options: LocalOptions = {}): Promise<LocalRuntime> {
  const { stateFile, ...runtime } = options;
  return startRuntime({
    ...runtime,
    // Locally, loopback and private addresses are the developer's own: webhooks and callbacks may call them,
    // and a value the template sets wins over this default.
    functionEnvironment: { [ENV.allowPrivateNetworks]: 'true', ...options.functionEnvironment },
    extensions: [operatorConsole({ stateFile: stateFile ?? false })],
  });
}
