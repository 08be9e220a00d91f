import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleApiRequest } from '../api-gateway/serve-api.js';
import { type Emulators, startEmulators } from '../emulators/emulators.js';
import { type ActiveFaults, startFaults } from '../faults/faults.js';
import type { LocalPlan } from '../plan.js';
import { ensureSynth, type SynthOptions } from '../synth.js';
import { type AssemblyStack, chooseStack, loadPlan } from '../template/assembly.js';
import { bannerText } from './banner.js';
import { concurrencyNote } from './concurrency.js';
import type { RuntimeExtension, RuntimeView } from './extension.js';
import { claimPort, type HttpFront } from './http-front.js';
import { startLiveStatus } from './live-status.js';
import { type RuntimeOptions, type RuntimeSettings, resolveSettings } from './options.js';
import { watchSources } from './watch.js';
import { Workloads } from './workloads.js';

/** A running local copy of the app. */
export interface LocalRuntime {
  /** Base URL of the REST API, without the stage: `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly region: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The local S3 endpoint functions get (`AWS_ENDPOINT_URL_S3`): fauxqs's S3 behind the runtime's checks. */
  readonly s3Endpoint: string;
  /** The current plan (updated by reloads). */
  plan(): LocalPlan;
  /** Local URL of a queue, by logical id or name. */
  queueUrl(queue: string): string;
  /** Synthesizes again and applies the result, keeping queues, messages and items. */
  reload(): Promise<void>;
  /** Stops accepting requests and polling, waits for invocations in flight, then shuts the emulators down. */
  stop(): Promise<void>;
}

/**
 * Runs a synthesized CDK app locally: claims the port, synthesizes the app when
 * it changed, starts the emulators, then creates the stack's queues and tables
 * in them, runs its functions in Lambda-like execution environments, polls its
 * SQS event sources and serves its REST API.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<LocalRuntime> {
  const settings = resolveSettings(options);
  const front = await claimPort(settings.host, settings.port);
  let emulators: Emulators | undefined;
  let faults: ActiveFaults | undefined;
  let app: RunningApp;
  try {
    const stack = await synthesize(settings);
    emulators = await startEmulators({
      region: stack.region,
      trustedOrigin: front.url,
      ...(settings.persist ? { dataDir: settings.stateDir } : {}),
    });
    faults = await startFaults(settings.faults, emulators);
    app = new RunningApp(settings, front, emulators, faults);
  } catch (error) {
    await front.close();
    await faults?.stop();
    await emulators?.stop();
    throw error;
  }
  try {
    await app.begin();
  } catch (error) {
    await app.stop();
    throw error;
  }
  return app;
}

/** Synthesizes the app when its sources changed, and picks the stack to run. */
async function synthesize(settings: RuntimeSettings): Promise<AssemblyStack> {
  await ensureSynth({
    ...synthOptions(settings),
    mode: settings.synth,
    onStart: () => settings.output.info(`Synthesizing the CDK app into ${settings.outDir} ...`),
  });
  return chooseStack(settings.assemblyDir, settings.stack);
}

function synthOptions(settings: RuntimeSettings): Omit<SynthOptions, 'mode'> {
  return {
    projectDir: settings.projectDir,
    outDir: settings.outDir,
    sources: settings.sources,
    env: settings.hostEnv,
    ...(settings.app !== undefined ? { app: settings.app } : {}),
  };
}

/**
 * The runtime once its emulators run: the plan it applies, the functions and
 * pollers that run it, the extensions, and what runs in the background
 * (live status, TTL sweep, the source watcher).
 */
class RunningApp implements LocalRuntime {
  private current: LocalPlan;
  private readonly workloads: Workloads;
  private readonly extensions: readonly RuntimeExtension[];
  private readonly background: (() => void)[] = [];
  private reloading: Promise<void> = Promise.resolve();
  private stopping = false;
  private stopped?: Promise<void>;

  constructor(
    private readonly settings: RuntimeSettings,
    private readonly front: HttpFront,
    private readonly emulators: Emulators,
    private readonly faults: ActiveFaults,
  ) {
    this.current = this.load();
    this.workloads = new Workloads({
      // Functions reach the emulators through the fault proxies, when faults are asked for.
      sqsEndpoint: faults.sqsEndpoint,
      dynamodbEndpoint: faults.dynamodbEndpoint,
      s3Endpoint: emulators.s3Endpoint,
      ...(faults.draw ? { fault: faults.draw } : {}),
      pollerSqs: emulators.pollerSqs,
      queueUrl: emulators.queueUrl,
      path: settings.hostEnv.PATH ?? '',
      limit: settings.concurrency,
      unpolled: settings.functionConcurrency,
      output: settings.output,
      onBatch: (batch) => {
        for (const e of this.extensions) e.batchProcessed?.(batch);
      },
    });
    const view = this.view();
    this.extensions = settings.extensions.map((create) => create(view));
  }

  get url(): string {
    return this.front.url;
  }

  get region(): string {
    return this.current.region;
  }

  get sqsEndpoint(): string {
    return this.emulators.sqsEndpoint;
  }

  get dynamodbEndpoint(): string {
    return this.emulators.dynamodbEndpoint;
  }

  get s3Endpoint(): string {
    return this.emulators.s3Endpoint;
  }

  plan(): LocalPlan {
    return this.current;
  }

  queueUrl(queue: string): string {
    const q = this.current.queues.find((x) => x.logicalId === queue || x.name === queue);
    if (!q) throw new Error(`No queue "${queue}" in stack ${this.current.stackName}.`);
    return this.emulators.queueUrl(q.name);
  }

  /** Applies the first plan, prints the banner, serves, and starts what runs in the background. */
  async begin(): Promise<void> {
    await this.apply(this.current);
    this.printBanner();
    this.front.serve((req, res) => this.handle(req, res));
    this.background.push(
      startLiveStatus(
        {
          sqs: this.emulators.sqs,
          queueUrl: this.emulators.queueUrl,
          plan: () => this.current,
          stopping: () => this.stopping,
        },
        this.settings.output,
      ),
    );
    this.background.push(this.startTtlSweep());
    if (this.settings.watch) {
      this.background.push(watchSources(this.settings.projectDir, this.settings.sources, () => void this.reload()));
    }
  }

  reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadOnce());
    return this.reloading;
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      this.front.refuse();
      for (const e of this.extensions) await e.stop?.();
      for (const stopTask of this.background) stopTask();
      this.settings.output.close();
      await this.reloading;
      // Requests in flight finish as their invocations do; the pollers' batches too.
      await this.front.close(() => this.workloads.stop());
      await this.faults.stop();
      await this.emulators.stop();
    })();
    return this.stopped;
  }

  /** Reads the plan from the cloud assembly. */
  private load(): LocalPlan {
    return loadPlan(this.settings.assemblyDir, this.settings.stack, this.emulators.queueUrl);
  }

  /** Brings queues, tables, functions and pollers in line with `plan`, then tells the extensions. */
  private async apply(plan: LocalPlan): Promise<string[]> {
    await this.emulators.ensureQueues(plan.queues);
    await this.emulators.ensureTables(plan.tables);
    await this.emulators.ensureBuckets(plan.buckets);
    const changes = await this.workloads.apply(plan);
    this.current = plan;
    for (const e of this.extensions) e.planApplied?.(plan);
    return changes;
  }

  /** Synthesizes again and applies the new plan; a failure keeps the previous version running. */
  private async reloadOnce(): Promise<void> {
    if (this.stopping) return;
    const out = this.settings.output;
    const started = performance.now();
    try {
      await ensureSynth({
        ...synthOptions(this.settings),
        mode: 'always',
        onStart: () => out.info('Change detected; synthesizing ...'),
      });
      const changes = await this.apply(this.load());
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      out.info(`Reloaded in ${seconds} s${changes.length ? `: ${changes.join(', ')}` : '; nothing changed'}.`);
    } catch (error) {
      const e = error as Error & { output?: string };
      out.info(`Reload failed; still running the previous version.\n${e.output || e.message}`);
    }
  }

  /** One request: an extension's, else the REST API's. */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    for (const e of this.extensions) if (e.handleRequest?.(req, res)) return;
    handleApiRequest(req, res, {
      api: () => this.current.apis[0],
      invoke: (logicalId, event) => {
        const fn = this.workloads.function(logicalId);
        if (!fn) throw new Error(`No local function ${logicalId}`);
        return fn.invoke(event);
      },
    }).catch((error: Error) => {
      this.settings.output.info(`API request failed: ${error.stack ?? error.message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal server error' }));
    });
  }

  private printBanner(): void {
    const plan = this.current;
    const { concurrency, concurrencyConfigured, concurrencySetting } = this.settings;
    const note = concurrencyNote(plan, concurrency, {
      configured: concurrencyConfigured,
      ...(concurrencySetting ? { setting: concurrencySetting } : {}),
    });
    this.settings.output.info(
      bannerText({
        plan,
        url: this.url,
        sqsEndpoint: this.sqsEndpoint,
        dynamodbEndpoint: this.dynamodbEndpoint,
        s3Endpoint: this.s3Endpoint,
        ...(note ? { concurrencyNote: note } : {}),
        ...(this.faults.note ? { faultNote: this.faults.note } : {}),
        contributions: this.extensions.map((e) => e.banner?.(plan) ?? {}),
      }),
    );
  }

  /** Deletes expired items every `ttlSweepSeconds`, as DynamoDB's TTL would; returns the function that stops it. */
  private startTtlSweep(): () => void {
    const seconds = this.settings.ttlSweepSeconds;
    if (seconds <= 0) return () => undefined;
    const timer = setInterval(() => {
      this.emulators
        .sweepExpired(this.current.tables)
        .catch((error: Error) => this.settings.output.info(`TTL sweep failed: ${error.message}`));
      // S3 lifecycle expirations, which fauxqs stores but does not run, on the same beat.
      this.emulators
        .sweepExpiredObjects(this.current.buckets)
        .catch((error: Error) => this.settings.output.info(`Lifecycle sweep failed: ${error.message}`));
    }, seconds * 1000);
    timer.unref();
    return () => clearInterval(timer);
  }

  /** What extensions see of the runtime. */
  private view(): RuntimeView {
    return {
      url: this.front.url,
      stateDir: this.settings.stateDir,
      sqsEndpoint: this.emulators.sqsEndpoint,
      dynamodbEndpoint: this.emulators.dynamodbEndpoint,
      s3Endpoint: this.emulators.s3Endpoint,
      sqs: this.emulators.sqs,
      dynamodb: this.emulators.dynamodb,
      s3: this.emulators.s3,
      plan: () => this.current,
      queueUrl: this.emulators.queueUrl,
      output: this.settings.output,
    };
  }
}
