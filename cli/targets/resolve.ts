import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_STATE_FILE, readLocalState } from '../../ops/local-state.js';
import { CliError, EXIT } from '../errors.js';
import { awsTarget } from './aws.js';
import { emulatorTarget } from './emulator.js';
import { localTarget } from './local.js';
import type { Target, TargetFlags, TargetKind, TargetOptions } from './target.js';

/** Finds `.qw/local.json` in the working directory or the nearest parent that has one. */
export function findStateFile(cwd: string): string | undefined {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const file = path.join(dir, DEFAULT_STATE_FILE);
    if (existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The target kind the flags name: `--target`, then `--endpoint` (emulator),
 * then `--region`/`--profile`/`--stack` (AWS); `undefined` when they name none,
 * which means the local runtime if one is running.
 */
export function chosenKind(flags: TargetFlags): TargetKind | undefined {
  if (flags.target) return flags.target;
  if (flags.endpoint) return 'emulator';
  return flags.region || flags.profile || flags.stack ? 'aws' : undefined;
}

/** Chooses the target by {@link chosenKind} and opens it. */
export async function resolveTarget(options: TargetOptions): Promise<Target> {
  const kind = chosenKind(options);
  if (kind === 'emulator') return emulatorTarget(options);
  if (kind === 'aws') return awsTarget(options);
  const stateFile = options.stateFile ?? options.env.QW_STATE_FILE ?? findStateFile(options.cwd);
  const state = stateFile ? readLocalState(stateFile) : undefined;
  if (kind === 'local' || state) return localTarget(state, stateFile);
  throw new CliError(
    EXIT.NO_TARGET,
    'No local runtime is running, and no other target was given.',
    'Start one with `npm start`, or choose a target: --target emulator [--endpoint URL], or --region/--profile for AWS.',
  );
}
