import { Duration } from 'aws-cdk-lib';
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
  }
}
