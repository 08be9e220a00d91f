import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Annotations, Duration } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  type IResource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  type MethodOptions,
  Period,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { API_ROUTES } from '../lambda/api/route-table.js';
import {
  DEFAULT_DOWNLOAD_URL_SECONDS,
  DEFAULT_UPLOAD_MAX_BYTES,
  DEFAULT_UPLOAD_URL_SECONDS,
  dlqEnvName,
  ENV,
  queueUrlEnvName,
} from '../lambda/shared/config.js';
import { QueueWorkersFunction } from './function.js';
import type { JobBucket } from './job-bucket.js';
import type { JobTable } from './job-table.js';

/** How callers prove who they are. */
export type ApiAuth = 'iam' | 'apiKey' | 'none';

/** Props of {@link JobApi}. */
export interface JobApiProps {
  /** Queue of each job type, by type name. */
  readonly queues: Readonly<Record<string, IQueue>>;
  /** Dead-letter queue of each job type, by type name; redriven through the API under IAM auth. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  readonly table: JobTable;
  /** Days a finished job stays in the table. */
  readonly retentionDays: number;
  /**
   * `iam`: callers sign requests with SigV4 and need `execute-api:Invoke`.
   * `apiKey`: callers send `x-api-key`; a usage plan throttles them.
   * `none`: anyone on the internet may submit jobs; synth warns.
   * @default 'iam'
   */
  readonly auth?: ApiAuth;
  /**
   * Steady-state requests per second across the stage (and, with `apiKey`, per key).
   * @default 100
   */
  readonly throttleRateLimit?: number;
  /**
   * Burst of requests allowed above the rate.
   * @default 200
   */
  readonly throttleBurstLimit?: number;
  /**
   * How long API and access logs are kept.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * A `callbackUrl` may use http to a loopback host and name private addresses.
   * @default false - https only, to public addresses
   */
  readonly allowPrivateNetworks?: boolean;
  /**
   * TEST ONLY. Ends the API function's execution environment between the steps of a submission (after its
   * messages are queued, or after its records are written) for this share of submissions (0 to 1), and for any
   * request that asks with an `X-QW-Test-Crash: queued|recorded` header. For end-to-end tests of the promise
   * that a job answered 202 always runs; never set it on a stack that serves real traffic.
   * @default undefined - off: no request can crash the API
   */
  readonly testOnlyCrashBetweenSteps?: number;
  /** The stack's bucket: uploads, claim-checked payloads and results, thumbnails. */
  readonly bucket: JobBucket;
  /**
   * The largest upload `POST /uploads` presigns, in bytes.
   * @default 25 MiB
   */
  readonly uploadMaxBytes?: number;
  /**
   * How long a presigned upload stays valid.
   * @default 15 minutes
   */
  readonly uploadUrlExpiry?: Duration;
  /**
   * How long a download URL (thumbnails, large results) minted by `GET /jobs/{id}` stays valid.
   * @default 1 hour
   */
  readonly downloadUrlExpiry?: Duration;
  /**
   * Packages job types load lazily, left out of the bundle (the API bundles the registry).
   * @default none
   */
  readonly lazyModules?: readonly string[];
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The HTTP job API: an API Gateway REST API (it runs on LocalStack-compatible
 * emulators too) with a proxy integration to one function. IAM auth by default,
 * access and execution logs, stage throttling, and JSON bodies for API Gateway's
 * own errors, so every error a client sees has the same shape.
 */
export class JobApi extends Construct {
  public readonly api: RestApi;
  public readonly function: QueueWorkersFunction;
  public readonly auth: ApiAuth;

  constructor(scope: Construct, id: string, props: JobApiProps) {
    super(scope, id);
    const share = props.testOnlyCrashBetweenSteps;
    if (share !== undefined && !(share >= 0 && share <= 1)) {
      throw new Error(`testOnlyCrashBetweenSteps is ${share}; give a share from 0 to 1, or leave it out.`);
    }
    this.auth = props.auth ?? 'iam';
    if (this.auth === 'none') {
      Annotations.of(this).addWarningV2(
        'queue-workers:api-auth-none',
        'The job API has no authentication: anyone who finds its URL can submit jobs. Use auth "iam" or "apiKey" outside of demos.',
      );
    }
    const throttle = { rateLimit: props.throttleRateLimit ?? 100, burstLimit: props.throttleBurstLimit ?? 200 };
    this.function = this.createFunction(props);
    this.grantAccess(props);
    this.api = this.createRestApi(props, throttle);
    this.addRoutes();
    // API Gateway's own errors (auth, throttling, too large) in the same JSON shape as the function's.
    const template = {
      'application/json':
        '{"error":{"code":"$context.error.responseType","message":$context.error.messageString,"requestId":"$context.requestId"}}',
    };
    this.api.addGatewayResponse('Default4xx', { type: ResponseType.DEFAULT_4XX, templates: template });
    this.api.addGatewayResponse('Default5xx', { type: ResponseType.DEFAULT_5XX, templates: template });
    if (this.auth === 'apiKey') this.addUsagePlan(throttle);
  }

  /** The API function, told its table, queues and (under IAM auth) the DLQs it may redrive. */
  private createFunction(props: JobApiProps): QueueWorkersFunction {
    const redrive =
      this.auth === 'iam'
        ? {
            [ENV.redriveEnabled]: 'true',
            ...Object.fromEntries(
              Object.entries(props.deadLetterQueues).flatMap(([type, q]) => [
                [dlqEnvName('url', type), q.queueUrl],
                [dlqEnvName('arn', type), q.queueArn],
              ]),
            ),
          }
        : {};
    return new QueueWorkersFunction(this, 'Function', {
      entry: path.join(here, '../lambda/api/handler.ts'),
      description: 'queue-workers HTTP job API',
      timeout: Duration.seconds(10),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      bundling: { externalModules: [...(props.lazyModules ?? [])] },
      environment: {
        [ENV.tableName]: props.table.table.tableName,
        [ENV.retentionDays]: String(props.retentionDays),
        [ENV.uploadMaxBytes]: String(props.uploadMaxBytes ?? DEFAULT_UPLOAD_MAX_BYTES),
        [ENV.uploadUrlSeconds]: String(props.uploadUrlExpiry?.toSeconds() ?? DEFAULT_UPLOAD_URL_SECONDS),
        [ENV.downloadUrlSeconds]: String(props.downloadUrlExpiry?.toSeconds() ?? DEFAULT_DOWNLOAD_URL_SECONDS),
        ...Object.fromEntries(Object.entries(props.queues).map(([type, q]) => [queueUrlEnvName(type), q.queueUrl])),
        ...redrive,
        ...(props.allowPrivateNetworks ? { [ENV.allowPrivateNetworks]: 'true' } : {}),
        ...(props.testOnlyCrashBetweenSteps !== undefined
          ? { [ENV.testOnlyCrashBetweenSteps]: String(props.testOnlyCrashBetweenSteps) }
          : {}),
      },
    });
  }

  /** Job items, sends to the work queues, the bucket's areas, and (under IAM auth) what a DLQ redrive needs. */
  private grantAccess(props: JobApiProps): void {
    const fn = this.function;
    props.table.grantItems(
      fn,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:BatchWriteItem',
    );
    for (const queue of Object.values(props.queues)) queue.grantSendMessages(fn);
    // Presign uploads (a POST is authorised as its signer's PutObject) and HeadObject them (GetObject);
    // store payloads; read stored results and presign downloads of them and of thumbnails.
    props.bucket.grantAccess(fn, { read: ['uploads', 'results', 'thumbnails'], write: ['uploads', 'payloads'] });
    if (this.auth !== 'iam') return;
    // StartMessageMoveTask needs these on the DLQ (the move's source); ChangeMessageVisibility is for the peek that requeues jobs.
    for (const dlq of Object.values(props.deadLetterQueues)) {
      dlq.grant(
        fn,
        'sqs:StartMessageMoveTask',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueAttributes',
      );
    }
  }

  /** The REST API: regional, logged, throttled, every method with the same auth and the proxy integration. */
  private createRestApi(props: JobApiProps, throttle: { rateLimit: number; burstLimit: number }): RestApi {
    const methodOptions: MethodOptions =
      this.auth === 'iam'
        ? { authorizationType: AuthorizationType.IAM }
        : this.auth === 'apiKey'
          ? { apiKeyRequired: true, authorizationType: AuthorizationType.NONE }
          : { authorizationType: AuthorizationType.NONE };
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      ...(props.logRetention ? { retention: props.logRetention } : {}),
    });
    return new RestApi(this, 'Api', {
      description: 'queue-workers job API',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      cloudWatchRole: true,
      // Every method, the catch-alls included, gets the same auth and integration.
      defaultMethodOptions: methodOptions,
      defaultIntegration: new LambdaIntegration(this.function, { proxy: true, allowTestInvoke: false }),
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
    });
  }

  /** One method per route of the route table (operators' routes only under IAM auth), and catch-alls. */
  private addRoutes(): void {
    const routes = API_ROUTES.filter((r) => this.auth === 'iam' || !('iamOnly' in r && r.iamOnly));
    const resources = new Map<string, IResource>([['', this.api.root]]);
    const resourceFor = (path: string): IResource => {
      const found = resources.get(path);
      if (found) return found;
      const cut = path.lastIndexOf('/');
      const created = resourceFor(path.slice(0, cut)).addResource(path.slice(cut + 1));
      resources.set(path, created);
      return created;
    };
    for (const r of routes) resourceFor(r.path).addMethod(r.method);
    // Catch-alls reach the function, which answers 405 or 404 in JSON instead of API Gateway's 403.
    for (const path of new Set(routes.map((r) => r.path))) resourceFor(path).addMethod('ANY');
    this.api.root.addProxy({ anyMethod: true });
  }

  /** Under API-key auth: a default key, throttled and capped by a usage plan. */
  private addUsagePlan(throttle: { rateLimit: number; burstLimit: number }): void {
    const plan = this.api.addUsagePlan('UsagePlan', {
      description: 'queue-workers clients',
      throttle,
      quota: { limit: 1_000_000, period: Period.DAY },
    });
    plan.addApiStage({ stage: this.api.deploymentStage });
    plan.addApiKey(this.api.addApiKey('DefaultKey', { description: 'queue-workers default client key' }));
  }
}
