/**
 * Bootstraps and deploys the unchanged CDK app to a LocalStack-compatible
 * emulator, and destroys it again.
 *
 * It can never reach a real AWS account by mistake: every AWS_* variable of the
 * caller (profile, keys, per-service endpoints) is dropped, the config and
 * credentials files point at an empty file, the credentials are throwaway
 * `test` keys, and an endpoint that is not loopback is refused unless
 * `allowNonLoopback` says so. An `amazonaws.com` endpoint is refused always.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { LOCAL_ACCOUNT, LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../local/core/local-aws.js';
import { checkLocalEndpoint, DEFAULT_ENDPOINT } from './endpoint.js';
import { PROJECT_BIN, PROJECT_ROOT } from './paths.js';

/** The stack deployLocal deploys when no stackName is given. */
export const DEFAULT_LOCAL_STACK = 'QueueWorkers';

/**
 * The environment the CDK CLI runs in: the caller's environment without any
 * AWS_* or CDK_DEFAULT_* variable, plus throwaway credentials, the emulator
 * endpoint, empty AWS config files, and Node 24 first on PATH.
 */
export function localAwsEnv(
  endpoint: string,
  emptyFile: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (!k.startsWith('AWS_') && !k.startsWith('CDK_DEFAULT_')) env[k] = v;
  }
  return {
    ...env,
    PATH: [PROJECT_BIN, env.PATH ?? ''].join(path.delimiter),
    AWS_ACCESS_KEY_ID: THROWAWAY_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: THROWAWAY_CREDENTIALS.secretAccessKey,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: emptyFile,
    AWS_SHARED_CREDENTIALS_FILE: emptyFile,
    AWS_EC2_METADATA_DISABLED: 'true',
    // No network calls to AWS for notices or telemetry.
    CDK_DISABLE_CLI_TELEMETRY: 'true',
  };
}

/** Options of {@link deployLocal} and {@link destroyLocal}. */
export interface LocalDeployOptions {
  /** @default AWS_ENDPOINT_URL, else DEFAULT_ENDPOINT */
  readonly endpoint?: string;
  /** @default false - only loopback endpoints */
  readonly allowNonLoopback?: boolean;
  /**
   * The stack's name (the app's `stackName` context).
   * @default 'QueueWorkers'
   */
  readonly stackName?: string;
  /**
   * Extra `-c key=value` context for the app.
   * @default none
   */
  readonly context?: Readonly<Record<string, string>>;
  /**
   * Another CDK app command than cdk.json's (`--app`), such as a test's fixture app.
   * @default cdk.json's app
   */
  readonly app?: string;
  /**
   * Append the CDK CLI's output to this file instead of this terminal.
   * @default inherit the terminal
   */
  readonly logFile?: string;
  /**
   * Skip `cdk bootstrap`.
   * @default false
   */
  readonly skipBootstrap?: boolean;
}

/** What a deploy reports. */
export interface LocalDeployResult {
  readonly stackName: string;
  readonly endpoint: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly bootstrapSeconds: number;
  readonly deploySeconds: number;
}

function resolved(options: LocalDeployOptions) {
  const endpoint = (options.endpoint ?? process.env.AWS_ENDPOINT_URL ?? DEFAULT_ENDPOINT).replace(/\/+$/, '');
  checkLocalEndpoint(endpoint, options.allowNonLoopback ?? false);
  return { endpoint, stackName: options.stackName ?? DEFAULT_LOCAL_STACK };
}

async function cdk(args: readonly string[], env: NodeJS.ProcessEnv, logFile?: string): Promise<void> {
  const bin = path.join(PROJECT_BIN, process.platform === 'win32' ? 'cdk.cmd' : 'cdk');
  const full = [...args, '--no-notices'];
  let stdio: 'inherit' | ['ignore', 'pipe', 'pipe'] = 'inherit';
  if (logFile) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, `\n$ cdk ${full.join(' ')}\n`, { flag: 'a' });
    stdio = ['ignore', 'pipe', 'pipe'];
  }
  const child = spawn(bin, full, { cwd: PROJECT_ROOT, env, stdio });
  // The last few KB go into the error, so a failed deploy says why even when its output went to a file.
  let tail = '';
  const keep = (chunk: Buffer) => {
    if (logFile) writeFileSync(logFile, chunk, { flag: 'a' });
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`cdk ${args[0]} failed with exit code ${code}.${tail ? `\n${tail}` : ''}`);
}

function contextArgs(stackName: string, context: Readonly<Record<string, string>> = {}): string[] {
  return Object.entries({ stackName, ...context }).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
}

function withScratch<T>(fn: (dir: string, emptyFile: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'qw-deploy-local-'));
  const emptyFile = path.join(dir, 'empty-aws-config');
  writeFileSync(emptyFile, '');
  return fn(dir, emptyFile).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/**
 * Bootstraps the emulator's account (CDKToolkit) and deploys the app. The
 * synthesized cloud assembly goes to a scratch directory, so a deploy never
 * disturbs the project's cdk.out.
 */
export function deployLocal(options: LocalDeployOptions = {}): Promise<LocalDeployResult> {
  const { endpoint, stackName } = resolved(options);
  return withScratch(async (dir, emptyFile) => {
    const env = localAwsEnv(endpoint, emptyFile);
    let started = Date.now();
    if (!options.skipBootstrap) {
      await cdk(['bootstrap', `aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`, '--app', ''], env, options.logFile);
    }
    const bootstrapSeconds = (Date.now() - started) / 1000;
    started = Date.now();
    const outputsFile = path.join(dir, 'outputs.json');
    await cdk(
      [
        'deploy',
        stackName,
        '--require-approval',
        'never',
        '--outputs-file',
        outputsFile,
        '--output',
        path.join(dir, 'cdk.out'),
        ...contextArgs(stackName, options.context),
        ...(options.app ? ['--app', options.app] : []),
      ],
      env,
      options.logFile,
    );
    const all = JSON.parse(readFileSync(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
    return {
      stackName,
      endpoint,
      outputs: all[stackName] ?? {},
      bootstrapSeconds,
      deploySeconds: (Date.now() - started) / 1000,
    };
  });
}

/** Deletes the stack from the emulator (`cdk destroy --force`). */
export function destroyLocal(options: LocalDeployOptions = {}): Promise<void> {
  const { endpoint, stackName } = resolved(options);
  return withScratch((dir, emptyFile) =>
    cdk(
      [
        'destroy',
        stackName,
        '--force',
        '--output',
        path.join(dir, 'cdk.out'),
        ...contextArgs(stackName, options.context),
        ...(options.app ? ['--app', options.app] : []),
      ],
      localAwsEnv(endpoint, emptyFile),
      options.logFile,
    ),
  );
}

/** What `npm run deploy:local -- …` asks for. */
export interface DeployLocalArgs {
  readonly destroy: boolean;
  readonly allowNonLoopback: boolean;
  /** Every `-c key=value`, `stackName` included. */
  readonly context: Readonly<Record<string, string>>;
}

/**
 * Reads `deploy:local`'s arguments: `--destroy`, `--allow-non-loopback` (or
 * DEPLOY_LOCAL_ALLOW_NON_LOOPBACK=1 in `env`) and `-c key=value`.
 */
export function parseDeployLocalArgs(argv: readonly string[], env: NodeJS.ProcessEnv = {}): DeployLocalArgs {
  const context: Record<string, string> = {};
  let destroy = false;
  let allowNonLoopback = env.DEPLOY_LOCAL_ALLOW_NON_LOOPBACK === '1';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    if (arg === '--destroy') destroy = true;
    else if (arg === '--allow-non-loopback') allowNonLoopback = true;
    else if ((arg === '-c' || arg === '--context') && next?.includes('=')) {
      const [k = '', ...v] = next.split('=');
      context[k] = v.join('=');
      i++;
    } else throw new Error(`Unknown argument "${arg}". Use --destroy, --allow-non-loopback or -c key=value.`);
  }
  return { destroy, allowNonLoopback, context };
}
