import type { ChildProcess } from 'node:child_process';

/** An emulator this process started. */
export interface RunningEmulator {
  readonly kind: 'ministack' | 'localstack';
  readonly endpoint: string;
  /** Where its output goes, when not to this terminal. */
  readonly logFile?: string;
  /** Settles when the emulator process exits, for whatever reason. */
  readonly exited: Promise<void>;
  /** Stops it and waits until it has exited. */
  stop(): Promise<void>;
}

/** Options of `startMinistack` and `startLocalStack`. */
export interface StartOptions {
  /** @default DEFAULT_PORT */
  readonly port?: number;
  /**
   * Write the emulator's output to this file.
   * @default the output goes to this process's stdout/stderr
   */
  readonly logFile?: string;
  /** @default 60 s for ministack, 180 s for LocalStack */
  readonly healthTimeoutMs?: number;
}

/** Settles when `child` has exited (at once if it already has). */
export function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; settles once `child` has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
