import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { JobTypeQueues } from './job-types.js';

/**
 * What a running local runtime writes to `.qw/local.json`, so that `qw` finds
 * it without flags: where its API, queues and table are.
 */
export interface LocalState {
  readonly version: 1;
  readonly pid: number;
  readonly url: string;
  readonly stackName: string;
  readonly region: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly tableName: string;
  /** Days a finished job stays in the table; older runtimes do not write it (qw then assumes the default). */
  readonly retentionDays?: number;
  readonly startedAt: string;
  readonly types: readonly JobTypeQueues[];
}

/** Where the local runtime's state file lives by default: `<project>/.qw/local.json`. */
export const DEFAULT_STATE_FILE = path.join('.qw', 'local.json');

/** Writes the state file atomically (a reader never sees half a file). */
export function writeLocalState(file: string, state: LocalState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Removes the state file if it still describes process `pid` (another runtime may have taken it over). */
export function removeLocalState(file: string, pid: number): void {
  const state = readLocalState(file);
  if (state?.pid === pid) rmSync(file, { force: true });
}

/** The state file's content; `undefined` when there is none or it is not ours to read. */
export function readLocalState(file: string): LocalState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as LocalState;
    return state.version === 1 && typeof state.url === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** True while process `pid` exists (signal 0 checks without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
