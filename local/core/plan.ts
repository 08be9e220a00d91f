/**
 * What the local runtime builds from one stack of a synthesized CDK app: its
 * queues, tables, functions, event sources and REST APIs, every intrinsic
 * resolved to the local names and ARNs. Template reading (`template/`) produces
 * a plan; the runtime (`runtime/`) applies it.
 */

/** An SQS queue the template declares. */
export interface QueueDef {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly fifo: boolean;
  /** CreateQueue attributes, every intrinsic resolved (RedrivePolicy names the local DLQ's ARN). */
  readonly attributes: Readonly<Record<string, string>>;
  /** Logical id of the queue this one redrives to, if any. */
  readonly deadLetterQueue?: string;
  readonly maxReceiveCount?: number;
}

/** A DynamoDB table the template declares. */
export interface TableDef {
  readonly logicalId: string;
  readonly name: string;
  /** CreateTable input in the API's shape. */
  readonly create: Record<string, unknown>;
  /** TimeToLiveSpecification's attribute, when TTL is enabled. */
  readonly ttlAttribute?: string;
}

/** An S3 bucket the template declares. */
export interface BucketDef {
  readonly logicalId: string;
  readonly name: string;
  /** CorsConfiguration's rules: which browser origins may call the bucket, with which methods. */
  readonly cors: readonly CorsRuleDef[];
  /** LifecycleConfiguration's enabled expiration rules. */
  readonly expirations: readonly ExpirationRuleDef[];
}

/** One CORS rule of a bucket. */
export interface CorsRuleDef {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

/** An enabled lifecycle rule that expires objects under a prefix after a number of days. */
export interface ExpirationRuleDef {
  readonly id: string;
  /** `''` for the whole bucket. */
  readonly prefix: string;
  readonly days: number;
}

/** A Lambda function the template declares. */
export interface FunctionDef {
  readonly logicalId: string;
  /** Short name for log prefixes: the construct path without the stack and `/Resource`. */
  readonly displayName: string;
  readonly functionName: string;
  readonly arn: string;
  /** Directory of the function's code (the bundled asset in the cloud assembly). */
  readonly codeDir: string;
  /** `file.export`, as Lambda's Handler property. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** `arm64` or `x86_64`, as Architectures says; Lambda prices the two differently. */
  readonly architecture: string;
  /** Environment.Variables with every intrinsic resolved. */
  readonly environment: Readonly<Record<string, string>>;
  readonly reservedConcurrency?: number;
  /**
   * How the function's code is bundled, when the template says (the `local:bundling`
   * metadata): lets the runtime rebuild it alone when only its code changed.
   */
  readonly bundling?: BundlingDef;
}

/** A function's bundle: its entry, relative to the CDK app's directory, and esbuild's build options. */
export interface BundlingDef {
  readonly entry: string;
  readonly esbuild: Readonly<Record<string, unknown>>;
}

/** An SQS event source mapping. */
export interface EventSourceDef {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly queueLogicalId: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** ScalingConfig.MaximumConcurrency, if set. */
  readonly maxConcurrency?: number;
  readonly reportBatchItemFailures: boolean;
  readonly enabled: boolean;
}

/**
 * A Secrets Manager secret the template declares, served to the functions by
 * the runtime's GetSecretValue endpoint.
 */
export interface SecretDef {
  readonly logicalId: string;
  readonly name: string;
  /** What `Ref` gives: the secret's ARN, with a stable six-character suffix as AWS adds a random one. */
  readonly arn: string;
  /** The value the template gives (SecretString, every intrinsic resolved). */
  readonly secretString?: string;
  /** How to generate the value, when the template gives none: GenerateSecretString, `{}` when it is absent too. */
  readonly generate?: GenerateSecretDef;
}

/** GenerateSecretString's properties, as CloudFormation names them. */
export interface GenerateSecretDef {
  readonly PasswordLength?: number;
  readonly ExcludeCharacters?: string;
  readonly ExcludeLowercase?: boolean;
  readonly ExcludeUppercase?: boolean;
  readonly ExcludeNumbers?: boolean;
  readonly ExcludePunctuation?: boolean;
  readonly IncludeSpace?: boolean;
  readonly RequireEachIncludedType?: boolean;
  readonly SecretStringTemplate?: string;
  readonly GenerateStringKey?: string;
}

/** An EventBridge rule that runs on a schedule, and the local functions it invokes. */
export interface ScheduleDef {
  readonly logicalId: string;
  /** The rule's ARN, which the scheduled event names in `resources`. */
  readonly ruleArn: string;
  /** `rate(5 minutes)` or `cron(...)`, as the rule declares it. */
  readonly expression: string;
  readonly enabled: boolean;
  readonly targets: readonly ScheduleTargetDef[];
}

/** A function a schedule invokes, with the target's constant input if it declares one. */
export interface ScheduleTargetDef {
  readonly functionLogicalId: string;
  /** The target's `Input`: JSON text sent instead of the scheduled event. */
  readonly input?: string;
}

/** Where an EventBridge Scheduler schedule sends its firings: a local queue or a local function. */
export type SchedulerTargetDef =
  | {
      readonly kind: 'sqs';
      readonly queueLogicalId: string;
      readonly queueName: string;
      /** SqsParameters.MessageGroupId, for a FIFO queue. */
      readonly messageGroupId?: string;
    }
  | { readonly kind: 'lambda'; readonly functionLogicalId: string };

/** An EventBridge Scheduler schedule (`AWS::Scheduler::Schedule`) whose target runs locally. */
export interface SchedulerScheduleDef {
  readonly logicalId: string;
  readonly name: string;
  readonly group: string;
  /** The schedule's ARN, which `<aws.scheduler.schedule-arn>` names. */
  readonly arn: string;
  /** `rate(...)`, `cron(...)` or `at(...)`, as the template declares it. */
  readonly expression: string;
  /** ScheduleExpressionTimezone; UTC when the template sets none. */
  readonly timezone: string;
  readonly enabled: boolean;
  /** StartDate and EndDate, ISO-8601, when set. */
  readonly startDate?: string;
  readonly endDate?: string;
  readonly target: SchedulerTargetDef;
  /** The target's Input, with Scheduler's `<aws.scheduler.*>` placeholders still in it. */
  readonly input?: string;
  /** RetryPolicy: most retries of a firing the target refused, and the oldest a firing may get. */
  readonly retry: { readonly maxAttempts: number; readonly maxAgeSeconds: number };
  /** The local queue DeadLetterConfig names, by name. */
  readonly deadLetterQueueName?: string;
}

/** An EventBridge bus the template declares. */
export interface EventBusDef {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
}

/** What a rule's target receives: the event, a constant, a part of the event, or a template filled from it. */
export type TargetInputDef =
  | { readonly kind: 'event' }
  | { readonly kind: 'constant'; readonly json: string }
  | { readonly kind: 'path'; readonly path: string }
  | {
      readonly kind: 'transformer';
      readonly pathsMap: Readonly<Record<string, string>>;
      readonly template: string;
    };

/** A target of an event rule that runs locally: a queue or a function of the stack. */
export type EventTargetDef = {
  readonly id: string;
  readonly input: TargetInputDef;
} & (
  | { readonly kind: 'sqs'; readonly queueLogicalId: string; readonly messageGroupId?: string }
  | { readonly kind: 'lambda'; readonly functionLogicalId: string }
);

/** An EventBridge rule with an event pattern, and its local targets. */
export interface EventRuleDef {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The bus it is on: `default` unless it names another. */
  readonly busName: string;
  /** The EventPattern, parsed. */
  readonly pattern: unknown;
  readonly enabled: boolean;
  readonly targets: readonly EventTargetDef[];
}

/** One method of an API Gateway resource. */
export interface MethodDef {
  readonly httpMethod: string;
  readonly functionLogicalId?: string;
  readonly integrationType: string;
  readonly authorizationType: string;
  readonly apiKeyRequired: boolean;
}

/** One API Gateway resource (path) and its methods. */
export interface RouteDef {
  /** e.g. `/jobs/{jobId}`; `/` for the root. */
  readonly resourcePath: string;
  readonly resourceId: string;
  readonly methods: ReadonlyMap<string, MethodDef>;
}

/** A REST API the template declares. */
export interface RestApiDef {
  readonly logicalId: string;
  readonly apiId: string;
  readonly stage: string;
  readonly binaryMediaTypes: readonly string[];
  readonly routes: readonly RouteDef[];
  /** The API's AWS::ApiGateway::GatewayResponse customizations, by response type (`DEFAULT_4XX`...). */
  readonly gatewayResponses: Readonly<Record<string, GatewayResponseDef>>;
  /** The stage's AccessLogSetting.Format, when it keeps an access log. */
  readonly accessLogFormat?: string;
}

/** How API Gateway answers for itself (an unknown route, a body too large) with one response type. */
export interface GatewayResponseDef {
  /** Overrides the type's default status code. */
  readonly statusCode?: number;
  /** Body templates by content type; `$context.error.*` and `$context.requestId` are filled in. */
  readonly templates: Readonly<Record<string, string>>;
  /** Response headers, their values unquoted. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Everything the local runtime builds from one stack. */
export interface LocalPlan {
  readonly stackName: string;
  readonly region: string;
  readonly queues: readonly QueueDef[];
  readonly tables: readonly TableDef[];
  readonly buckets: readonly BucketDef[];
  readonly functions: readonly FunctionDef[];
  readonly eventSources: readonly EventSourceDef[];
  readonly apis: readonly RestApiDef[];
  readonly schedules: readonly ScheduleDef[];
  /** EventBridge Scheduler schedules whose targets run locally. */
  readonly schedulerSchedules: readonly SchedulerScheduleDef[];
  readonly eventBuses: readonly EventBusDef[];
  /** Rules with an event pattern, on any bus. */
  readonly eventRules: readonly EventRuleDef[];
  readonly secrets: readonly SecretDef[];
  /** Things the template declares that behave differently locally, to print at start-up. */
  readonly notes: readonly string[];
}
