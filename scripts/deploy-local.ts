/**
 * `npm run deploy:local`: bootstraps, then deploys the unchanged CDK app to a
 * LocalStack-compatible emulator (default http://127.0.0.1:4566, or AWS_ENDPOINT_URL).
 *
 * It can never reach a real AWS account by mistake: every AWS_* variable of the
 * caller (profile, keys, per-service endpoints) is dropped, the config and
 * credentials files point at an empty file, the credentials are throwaway
 * `test` keys, and an endpoint that is not loopback is refused unless
 * `--allow-non-loopback` (or DEPLOY_LOCAL_ALLOW_NON_LOOPBACK=1) says so.
 * An `amazonaws.com` endpoint is refused always.
 *
 * Usage: npm run deploy:local [-- --destroy] [-- --allow-non-loopback] [-- -c auth=apiKey]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from './emulator.js';

/** The emulator endpoint when AWS_ENDPOINT_URL is unset. */
export const DEFAULT_ENDPOINT = 'http://127.0.0.1:4566';
/** The account and region emulators use for throwaway credentials. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses `endpoint` and refuses anything that could be real AWS: any
 * amazonaws.com host, and any non-loopback host unless `allowNonLoopback`.
 */
export function checkLocalEndpoint(endpoint: string, allowNonLoopback = false): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`AWS_ENDPOINT_URL "${endpoint}" is not a URL; use e.g. ${DEFAULT_ENDPOINT}.`);
  }
  if (/(^|\.)amazonaws\.com(\.cn)?$/i.test(url.hostname)) {
    throw new Error(
      `Refusing ${endpoint}: deploy:local only deploys to an emulator, never to AWS. Use \`npm run deploy\`.`,
    );
  }
  if (!isLoopbackHost(url.hostname) && !allowNonLoopback) {
    throw new Error(
      `Refusing ${endpoint}: it is not a loopback address. If an emulator really runs there, pass --allow-non-loopback or set DEPLOY_LOCAL_ALLOW_NON_LOOPBACK=1.`,
    );
  }
  return url;
}

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
    PATH: [path.join(PROJECT_ROOT, 'node_modules', '.bin'), env.PATH ?? ''].join(path.delimiter),
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
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
  return { endpoint, stackName: options.stackName ?? 'QueueWorkers' };
}

async function cdk(args: readonly string[], env: NodeJS.ProcessEnv, logFile?: string): Promise<void> {
  const bin = path.join(PROJECT_ROOT, 'node_modules', '.bin', process.platform === 'win32' ? 'cdk.cmd' : 'cdk');
  const full = [...args, '--no-notices'];
  let stdio: 'inherit' | ['ignore', 'pipe', 'pipe'] = 'inherit';
  if (logFile) {
    mkdirSync(path.dirname(logFile), { recursive: true });
    writeFileSync(logFile, `\n$ cdk ${full.join(' ')}\n`, { flag: 'a' });
    stdio = ['ignore', 'pipe', 'pipe'];
  }
  const child = spawn(bin, full, { cwd: PROJECT_ROOT, env, stdio });
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
      ],
      localAwsEnv(endpoint, emptyFile),
      options.logFile,
    ),
  );
}

/**
 * The URL of a deployed REST API on the emulator. The stack's ApiUrl output
 * names execute-api.amazonaws.com, which an emulator does not serve; both
 * ministack and LocalStack route this path form to the API instead.
 */
export function emulatorApiUrl(endpoint: string, restApiId: string, stage: string): string {
  return `${endpoint.replace(/\/+$/, '')}/restapis/${restApiId}/${stage}/_user_request_`;
}

/** The REST API id and stage in an ApiUrl output (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/`). */
export function parseApiUrl(apiUrl: string): { restApiId: string; stage: string } {
  const match = /^https:\/\/([a-z0-9]+)\.execute-api\.[^/]+\/([^/]+)\/?$/.exec(apiUrl);
  if (!match?.[1] || !match[2]) throw new Error(`"${apiUrl}" is not an API Gateway invoke URL.`);
  return { restApiId: match[1], stage: match[2] };
}

function parseArgs(argv: readonly string[]) {
  const context: Record<string, string> = {};
  let destroy = false;
  let allowNonLoopback = process.env.DEPLOY_LOCAL_ALLOW_NON_LOOPBACK === '1';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--destroy') destroy = true;
    else if (arg === '--allow-non-loopback') allowNonLoopback = true;
    else if ((arg === '-c' || arg === '--context') && argv[i + 1]?.includes('=')) {
      const [k, ...v] = (argv[++i] as string).split('=');
      context[k as string] = v.join('=');
    } else throw new Error(`Unknown argument "${arg}". Use --destroy, --allow-non-loopback or -c key=value.`);
  }
  return { destroy, allowNonLoopback, context };
}

async function main(): Promise<void> {
  const { destroy, allowNonLoopback, context } = parseArgs(process.argv.slice(2));
  const { stackName: name, ...rest } = context;
  const options: LocalDeployOptions = {
    allowNonLoopback,
    context: rest,
    ...(name ? { stackName: name } : {}),
  };
  if (destroy) {
    await destroyLocal(options);
    return;
  }
  const result = await deployLocal(options);
  const apiUrl = result.outputs.ApiUrl;
  console.log(
    `\nDeployed ${result.stackName} to ${result.endpoint} (bootstrap ${result.bootstrapSeconds.toFixed(1)} s, deploy ${result.deploySeconds.toFixed(1)} s).`,
  );
  if (apiUrl) {
    const { restApiId, stage } = parseApiUrl(apiUrl);
    console.log(`Job API on the emulator: ${emulatorApiUrl(result.endpoint, restApiId, stage)}/jobs`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
