import * as path from 'node:path';
import { type CfnResource, Duration } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import {
  type BundlingOptions,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * What the Lambda Node.js runtime provides, left out of every bundle: the AWS
 * SDK v3 clients and libraries, and the packages they are built from. The
 * presigners (`@aws-sdk/s3-request-presigner`, `@aws-sdk/s3-presigned-post`)
 * are not part of the runtime, so they are bundled.
 */
export const RUNTIME_PROVIDED_MODULES: readonly string[] = [
  '@aws-sdk/client-*',
  '@aws-sdk/lib-*',
  '@aws-sdk/util-*',
  '@aws-sdk/core',
  '@aws-sdk/types',
  '@aws-sdk/signature-v4-multi-region',
  '@aws-sdk/middleware-*',
  '@smithy/*',
];

/** Props of {@link QueueWorkersFunction}. */
export interface QueueWorkersFunctionProps extends NodejsFunctionProps {
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/** npm's platform settings for Lambda on `architecture`: its Linux, with glibc. */
export function lambdaPlatform(architecture: Architecture): Record<string, string> {
  return {
    npm_config_os: 'linux',
    npm_config_cpu: architecture === Architecture.X86_64 ? 'x64' : 'arm64',
    npm_config_libc: 'glibc',
  };
}

/**
 * The one place that decides how every function of the project is built and
 * run: Node 24 on arm64, minified bundles with source maps, the runtime's SDK
 * left out, PNGs embedded as bytes, its own log group with a retention. Packages
 * listed in `bundling.nodeModules` (native ones, such as sharp) are installed for
 * Lambda's platform, not this machine's: without npm's os, cpu and libc
 * settings an x64 machine would put x64 binaries in an arm64 function.
 * The caller's `environment` and `bundling` are merged, not dropped.
 */
export class QueueWorkersFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: QueueWorkersFunctionProps) {
    const { logRetention = RetentionDays.ONE_MONTH, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetention });
    const architecture = props.architecture ?? Architecture.ARM_64;
    const nodeModules = props.bundling?.nodeModules ?? [];
    const bundling: BundlingOptions = {
      minify: true,
      sourceMap: true,
      target: 'node24',
      format: OutputFormat.CJS,
      ...props.bundling,
      externalModules: [...RUNTIME_PROVIDED_MODULES, ...(props.bundling?.externalModules ?? [])],
      loader: { '.png': 'binary', ...props.bundling?.loader },
      ...(nodeModules.length
        ? { environment: { ...lambdaPlatform(architecture), ...props.bundling?.environment } }
        : {}),
    };
    super(scope, id, {
      runtime: Runtime.NODEJS_24_X,
      architecture,
      timeout: Duration.seconds(30),
      memorySize: 256,
      logGroup,
      ...rest,
      bundling,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        AWS_NODEJS_CONNECTION_REUSE_ENABLED: '1',
        ...props.environment,
      },
    });
    if (props.entry) {
      (this.node.defaultChild as CfnResource).addMetadata(
        LOCAL_BUNDLING_METADATA,
        localBundling(props.entry, bundling),
      );
    }
  }
}

/**
 * The metadata key under which a function tells the local runtime how its code
 * is bundled: the entry and the esbuild options NodejsFunction runs with, so
 * that a change to function code alone is rebuilt in a second, without a synth.
 */
export const LOCAL_BUNDLING_METADATA = 'local:bundling';

/** The esbuild build NodejsFunction runs for these bundling options (the ones this project uses). */
function localBundling(entry: string, bundling: BundlingOptions): Record<string, unknown> {
  const external = [...(bundling.externalModules ?? []), ...(bundling.nodeModules ?? [])];
  return {
    // Relative to the CDK app's directory: a template carries no machine's paths.
    entry: path.relative(process.cwd(), entry),
    esbuild: {
      bundle: true,
      platform: 'node',
      target: bundling.target,
      format: bundling.format,
      minify: bundling.minify ?? false,
      sourcemap: bundling.sourceMap ?? false,
      ...(bundling.sourcesContent === false ? { sourcesContent: false } : {}),
      ...(bundling.keepNames ? { keepNames: true } : {}),
      ...(bundling.format === OutputFormat.ESM ? { mainFields: ['module', 'main'] } : {}),
      ...(bundling.define ? { define: bundling.define } : {}),
      ...(bundling.loader ? { loader: bundling.loader } : {}),
      ...(bundling.banner ? { banner: { js: bundling.banner } } : {}),
      ...(bundling.footer ? { footer: { js: bundling.footer } } : {}),
      ...(external.length ? { external } : {}),
    },
  };
}
