import * as path from 'node:path';
import { type FaultPlan, NO_FAULTS } from '../faults/fault-plan.js';
import type { UsageMeter } from '../metering/usage.js';
import { createOutput, type Output } from '../terminal.js';
import { defaultConcurrencyLimit } from './concurrency.js';
import type { ExtensionFactory } from './extension.js';

/** Options of {@link startRuntime}. Nothing here is read from the environment: `local/start.ts` does that. */
export interface RuntimeOptions {
  /** Port of the API; 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** Address to bind. @default '127.0.0.1' */
  readonly host?: string;
  /** @default process.cwd() */
  readonly projectDir?: string;
  /** CDK app command. @default cdk.json's `app` */
  readonly app?: string;
  /** Cloud assembly directory, relative to the project. @default 'cdk.out' */
  readonly outDir?: string;
  /** Stack to run. @default the assembly's only stack */
  readonly stack?: string;
  /** Paths whose changes mean the app must be synthesized again. @default bin, lib, lambda, cdk.json */
  readonly sources?: readonly string[];
  /** @default 'auto' - synthesize when a source is newer than the assembly */
  readonly synth?: 'auto' | 'always' | 'never';
  /** Keep queues, messages and items in `stateDir` across restarts. @default false */
  readonly persist?: boolean;
  /** Where persisted state goes, relative to the project. @default '.qw' */
  readonly stateDir?: string;
  /** Re-synthesize and reload functions when a source changes; queues and tables are kept. @default false */
  readonly watch?: boolean;
  /**
   * Most execution environments of one function at once, and most pollers of one
   * event source. @default this machine's cores, at least 2 (see {@link defaultConcurrencyLimit})
   */
  readonly concurrency?: number;
  /** The setting a user changes `concurrency` with, named in the start-up note. @default none is named */
  readonly concurrencySetting?: string;
  /** Most concurrent environments of a function that no event source drives (the API). @default 10 */
  readonly functionConcurrency?: number;
  /** How often expired items (DynamoDB TTL) are deleted, in seconds; 0 turns it off. @default 60 */
  readonly ttlSweepSeconds?: number;
  /** Where logs and status go. @default process.stdout, with function logs and live status */
  readonly output?: Output;
  /** The app's own tooling, plugged in (see {@link RuntimeExtension}). @default none */
  readonly extensions?: readonly ExtensionFactory[];
  /** What to break on purpose, for testing (QW_FAULTS). @default nothing */
  readonly faults?: FaultPlan;
  /**
   * Counts what the app would be billed for on AWS while it runs: API requests,
   * invocations and GB-seconds, SQS requests by 64 KB chunk, DynamoDB request
   * units, log bytes (see {@link UsageMeter}). Calls go through a metering proxy.
   * @default nothing is counted
   */
  readonly meter?: UsageMeter;
  /**
   * Defaults for every function's environment: a variable the template sets
   * keeps the template's value. For instance, to tell an app's functions that
   * the network they run on is the user's own.
   * @default none
   */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /**
   * The environment of the process that runs the runtime: `cdk synth` inherits it
   * and functions get its PATH. Passed on, never read for settings.
   * @default process.env
   */
  readonly hostEnv?: NodeJS.ProcessEnv;
}

/** {@link RuntimeOptions} with every default applied and every path absolute. */
export interface RuntimeSettings {
  readonly port: number;
  readonly host: string;
  readonly projectDir: string;
  readonly app: string | undefined;
  /** As given (relative to the project), for messages and `cdk synth --output`. */
  readonly outDir: string;
  /** The cloud assembly directory, absolute. */
  readonly assemblyDir: string;
  readonly stack: string | undefined;
  readonly sources: readonly string[];
  readonly synth: 'auto' | 'always' | 'never';
  readonly persist: boolean;
  readonly stateDir: string;
  readonly watch: boolean;
  readonly concurrency: number;
  readonly concurrencyConfigured: boolean;
  readonly concurrencySetting: string | undefined;
  readonly functionConcurrency: number;
  readonly ttlSweepSeconds: number;
  readonly output: Output;
  readonly extensions: readonly ExtensionFactory[];
  readonly faults: FaultPlan;
  readonly meter: UsageMeter | undefined;
  readonly functionEnvironment: Readonly<Record<string, string>> | undefined;
  readonly hostEnv: NodeJS.ProcessEnv;
}

/** Applies the defaults. */
export function resolveSettings(options: RuntimeOptions): RuntimeSettings {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const outDir = options.outDir ?? 'cdk.out';
  return {
    port: options.port ?? 3000,
    host: options.host ?? '127.0.0.1',
    projectDir,
    app: options.app,
    outDir,
    assemblyDir: path.resolve(projectDir, outDir),
    stack: options.stack,
    sources: options.sources ?? ['bin', 'lib', 'lambda', 'cdk.json'],
    synth: options.synth ?? 'auto',
    persist: options.persist ?? false,
    stateDir: path.resolve(projectDir, options.stateDir ?? '.qw'),
    watch: options.watch ?? false,
    concurrency: options.concurrency ?? defaultConcurrencyLimit(),
    concurrencyConfigured: options.concurrency !== undefined,
    concurrencySetting: options.concurrencySetting,
    functionConcurrency: options.functionConcurrency ?? 10,
    ttlSweepSeconds: options.ttlSweepSeconds ?? 60,
    output: options.output ?? createOutput(),
    extensions: options.extensions ?? [],
    faults: options.faults ?? NO_FAULTS,
    meter: options.meter,
    functionEnvironment: options.functionEnvironment,
    // The one place the core touches the environment: to hand it on to child processes.
    hostEnv: options.hostEnv ?? process.env,
  };
}
