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

/** Props of {@link QueueWorkersFunction}. */
export interface QueueWorkersFunctionProps extends NodejsFunctionProps {
  /**
   * How long the function's logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
}

/**
 * The one place that decides how every function of the project is built and
 * run: Node 24 on arm64, minified bundles with source maps, its own log group
 * with a retention. The caller's `environment` and `bundling` are merged, not dropped.
 */
export class QueueWorkersFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: QueueWorkersFunctionProps) {
    const { logRetention = RetentionDays.ONE_MONTH, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: logRetention });
    const bundling: BundlingOptions = {
      minify: true,
      sourceMap: true,
      target: 'node24',
      format: OutputFormat.CJS,
      // The Lambda runtime ships AWS SDK v3; leaving it out keeps bundles small and cold starts short.
      externalModules: ['@aws-sdk/*'],
      ...props.bundling,
    };
    super(scope, id, {
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
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
