import type { InvocationFault } from '../faults/fault-plan.js';
import { LambdaFunction } from '../functions/lambda-function.js';
import { THROWAWAY_CREDENTIALS } from '../local-aws.js';
import { meteredPollerSqs } from '../metering/metered-poller.js';
import type { UsageMeter } from '../metering/usage.js';
import type { EventSourceDef, LocalPlan, QueueDef } from '../plan.js';
import { ScheduleRunner, type ScheduleRunnerDeps, type ScheduleState } from '../schedules/schedule-runner.js';
import { RuleScheduler } from '../schedules/scheduler.js';
import type { PollerSqs } from '../sqs/poller-sqs.js';
import { SqsPoller } from '../sqs/sqs-poller.js';
import type { Output } from '../terminal.js';
import { environmentsOf, pollersOf } from './concurrency.js';
import type { ProcessedBatch } from './extension.js';

/** Options of {@link Workloads}. */
export interface WorkloadsOptions {
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local EventBridge's PutEvents endpoint. */
  readonly eventsEndpoint: string;
  readonly secretsEndpoint: string;
  /** Variables every function gets beneath its template's own. @default none */
  readonly functionEnvironment?: Readonly<Record<string, string>>;
  /** The local S3 endpoint: an IP address, so the SDK addresses buckets by path without being told. */
  readonly s3Endpoint: string;
  readonly pollerSqs: PollerSqs;
  readonly queueUrl: (queueName: string) => string;
  /** PATH of the host, which functions get as Lambda gives them its own. */
  readonly path: string;
  /** Most environments of one function, and most pollers of one event source. */
  readonly limit: number;
  /** Most environments of a function no event source drives. */
  readonly unpolled: number;
  readonly output: Output;
  /** Sends a message to a local queue, for EventBridge Scheduler schedules with a queue target. */
  readonly sendMessage: ScheduleRunnerDeps['sendMessage'];
  /** Called after each batch a poller processed. */
  readonly onBatch: (batch: ProcessedBatch) => void;
  /** Draws the fault of each event source batch (QW_FAULTS). @default none */
  readonly fault?: () => InvocationFault;
  /** Counts invocations, logs and the pollers' SQS calls. @default nothing is counted */
  readonly meter?: UsageMeter;
}

interface RunningPoller {
  /** The event source and its queue's name: a poller is replaced when either changes. */
  readonly key: string;
  readonly poller: SqsPoller;
}

/**
 * The functions of a plan in their execution environments, and what invokes
 * them: event source pollers, scheduled rules and Scheduler schedules. {@link apply} brings them in
 * line with a new plan: new functions start, changed ones reload their code for
 * the next invocation, removed ones stop after their invocations in flight;
 * pollers follow their event sources, and schedules their rules.
 */
export class Workloads {
  private readonly functions = new Map<string, LambdaFunction>();
  private pollers: RunningPoller[] = [];
  private readonly baseEnv: Record<string, string>;
  private readonly scheduler: RuleScheduler;
  private readonly scheduleRunner: ScheduleRunner;
  private applied = false;

  constructor(private readonly options: WorkloadsOptions) {
    this.baseEnv = {
      ...options.functionEnvironment,
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
      AWS_ACCESS_KEY_ID: THROWAWAY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: THROWAWAY_CREDENTIALS.secretAccessKey,
      // The SDK's service-specific endpoint settings: handlers need no local-mode code.
      AWS_ENDPOINT_URL_SQS: options.sqsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: options.eventsEndpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: options.secretsEndpoint,
      AWS_ENDPOINT_URL_S3: options.s3Endpoint,
      PATH: options.path,
      LANG: 'en_US.UTF-8',
      NODE_ENV: 'production',
    };
    this.scheduler = new RuleScheduler({
      invoke: (logicalId, event) => {
        const fn = this.functions.get(logicalId);
        if (!fn) return Promise.reject(new Error(`no local function ${logicalId}`));
        return fn.invoke(event);
      },
      log: (line) => options.output.info(`[schedule] ${line}`),
    });
    this.scheduleRunner = new ScheduleRunner({
      invoke: (logicalId, event) => {
        const fn = this.functions.get(logicalId);
        if (!fn) return Promise.reject(new Error(`no local function ${logicalId}`));
        return fn.invoke(event);
      },
      sendMessage: options.sendMessage,
      log: (line) => options.output.info(`[scheduler] ${line}`),
    });
  }

  /** The EventBridge Scheduler schedules being run, with their next firing. */
  scheduleStates(): ScheduleState[] {
    return this.scheduleRunner.states();
  }

  /** The function with this logical id, if the plan has it. */
  function(logicalId: string): LambdaFunction | undefined {
    return this.functions.get(logicalId);
  }

  /** Brings functions and pollers in line with `plan`; returns what changed, for the reload message. */
  async apply(plan: LocalPlan): Promise<string[]> {
    this.baseEnv.AWS_REGION = plan.region;
    this.baseEnv.AWS_DEFAULT_REGION = plan.region;
    const changes = this.addOrUpdateFunctions(plan);
    const keys = new Set(plan.eventSources.map((e) => pollerKey(plan, e)));
    await Promise.all(this.pollers.filter((p) => !keys.has(p.key)).map((p) => p.poller.stop()));
    this.pollers = this.pollers.filter((p) => keys.has(p.key));
    changes.push(...(await this.removeFunctions(plan)));
    for (const mapping of plan.eventSources) this.startPoller(plan, mapping);
    this.scheduler.apply(plan);
    this.scheduleRunner.apply(plan);
    this.applied = true;
    return changes;
  }

  /** Stops the pollers (their batches in flight finish), then every function. */
  async stop(): Promise<void> {
    this.scheduler.stop();
    this.scheduleRunner.stop();
    await Promise.all(this.pollers.map((p) => p.poller.stop()));
    await Promise.all([...this.functions.values()].map((f) => f.stop()));
  }

  private addOrUpdateFunctions(plan: LocalPlan): string[] {
    const changes: string[] = [];
    for (const def of plan.functions) {
      const existing = this.functions.get(def.logicalId);
      if (!existing) {
        const maxEnvironments = environmentsOf(def, plan, this.options);
        const output = this.options.output;
        this.functions.set(
          def.logicalId,
          new LambdaFunction(def, {
            baseEnv: this.baseEnv,
            maxEnvironments,
            output: (name, line, stream) => output.functionLine(name, line, stream),
            ...(this.options.meter ? { meter: this.options.meter } : {}),
          }),
        );
        if (this.applied) changes.push(`added ${def.displayName}`);
      } else if (JSON.stringify(existing.definition) !== JSON.stringify(def)) {
        existing.update(def);
        changes.push(`reloaded ${def.displayName}`);
      }
    }
    return changes;
  }

  private async removeFunctions(plan: LocalPlan): Promise<string[]> {
    const keep = new Set(plan.functions.map((f) => f.logicalId));
    const changes: string[] = [];
    for (const [id, fn] of this.functions) {
      if (keep.has(id)) continue;
      this.functions.delete(id);
      await fn.stop();
      changes.push(`removed ${fn.definition.displayName}`);
    }
    return changes;
  }

  private startPoller(plan: LocalPlan, mapping: EventSourceDef): void {
    const key = pollerKey(plan, mapping);
    if (this.pollers.some((p) => p.key === key)) return;
    const queue = plan.queues.find((q) => q.logicalId === mapping.queueLogicalId) as QueueDef;
    const fnName = plan.functions.find((f) => f.logicalId === mapping.functionLogicalId)?.displayName ?? '';
    const { output, onBatch, meter } = this.options;
    const poller = new SqsPoller({
      sqs: meter
        ? meteredPollerSqs(this.options.pollerSqs, meter, `event source ${queue.name}`)
        : this.options.pollerSqs,
      mapping,
      concurrency: pollersOf(mapping, this.options.limit),
      queueUrl: this.options.queueUrl(queue.name),
      queueArn: queue.arn,
      region: plan.region,
      target: () => this.functions.get(mapping.functionLogicalId) as LambdaFunction,
      log: (line) => output.functionLine(fnName, `[event source ${queue.name}] ${line}`, 'stderr'),
      onBatch: (outcome) => onBatch({ queue, eventSource: mapping, outcome }),
      ...(this.options.fault ? { fault: this.options.fault } : {}),
    });
    poller.start();
    this.pollers.push({ key, poller });
  }
}

function pollerKey(plan: LocalPlan, mapping: EventSourceDef): string {
  const queue = plan.queues.find((q) => q.logicalId === mapping.queueLogicalId);
  return JSON.stringify([mapping, queue?.name]);
}
