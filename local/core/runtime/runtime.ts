import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { handleApiRequest } from '../api-gateway/serve-api.js';
import { type Emulators, startEmulators } from '../emulators/emulators.js';
import { EventRouter } from '../events/event-router.js';
import { type EventsEndpoint, startEventsEndpoint } from '../events/put-events-server.js';
import { type ActiveFaults, startFaults } from '../faults/faults.js';
import { LOCAL_ACCOUNT } from '../local-aws.js';
import { type ActiveMetering, startMetering } from '../metering/metering.js';
import type { LocalPlan } from '../plan.js';
import type { ScheduleState } from '../schedules/schedule-runner.js';
import { SECRETS_FILE, type SecretValue } from '../secrets/secret-store.js';
import { queueSender } from '../sqs/send-message.js';
import { ensureSynth } from '../synth.js';
import { loadPlan } from '../template/assembly.js';
import { bannerText } from './banner.js';
import { appCommandOf, CodeReloader } from './code-reload.js';
import { concurrencyNote } from './concurrency.js';
import type { RuntimeExtension, RuntimeView } from './extension.js';
import { claimPort, type HttpFront } from './http-front.js';
import { startLiveStatus } from './live-status.js';
import { type RuntimeOptions, type RuntimeSettings, resolveSettings } from './options.js';
import { startSweep } from './sweep.js';
import { synthesize, synthOptions } from './synthesize.js';
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
  /** The EventBridge Scheduler schedules being run, with their next firing. */
  schedules(): ScheduleState[];
  /**
   * Applies a change: with the changed files named, a change to function code
   * alone rebuilds just those bundles; otherwise it synthesizes again and
   * applies the result, keeping queues, messages and items.
   */
  reload(changed?: readonly string[]): Promise<void>;
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
  let metering: ActiveMetering | undefined;
  let faults: ActiveFaults | undefined;
  let events: EventsEndpoint | undefined;
  let app: RunningApp | undefined;
  try {
    const stack = await synthesize(settings);
    emulators = await startEmulators({
      region: stack.region,
      trustedOrigin: front.url,
      ...(settings.persist ? { dataDir: settings.stateDir } : {}),
      // Kept with or without --persist: a generated secret is often configured elsewhere (a webhook receiver).
      secretsFile: path.join(settings.stateDir, SECRETS_FILE),
    });
    // Functions -> fault proxy -> metering proxy -> emulator: a call failed on purpose is not counted.
    metering = await startMetering(settings.meter, emulators, () => app?.plan().tables ?? []);
    faults = await startFaults(settings.faults, metering);
    // Functions' PutEvents reach the router once the app runs; until then they are told to retry.
    events = await startEventsEndpoint(() => app?.putEvents, settings.meter);
    app = new RunningApp(settings, front, { ...emulators, eventsEndpoint: events }, faults, metering);
  } catch (error) {
    await front.close();
    await events?.stop();
    await faults?.stop();
    await metering?.stop();
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

/**
 * The runtime once its emulators run: the plan it applies, the functions and
 * pollers that run it, the extensions, and what runs in the background
 * (live status, TTL sweep, the source watcher).
 */
class RunningApp implements LocalRuntime {
  private current: LocalPlan;
  private readonly workloads: Workloads;
  private readonly router: EventRouter;
  private readonly extensions: readonly RuntimeExtension[];
  private readonly code: CodeReloader;
  private indexed: Promise<void> = Promise.resolve();
  private readonly background: (() => void)[] = [];
  private reloading: Promise<void> = Promise.resolve();
  private stopping = false;
  private stopped?: Promise<void>;
  /** Secret values generated by the first plan, for the banner; later ones are printed as they come. */
  private generatedAtStart: readonly SecretValue[] | undefined;

  constructor(
    private readonly settings: RuntimeSettings,
    private readonly front: HttpFront,
    private readonly emulators: Emulators & { readonly eventsEndpoint: EventsEndpoint },
    private readonly faults: ActiveFaults,
    private readonly metering: ActiveMetering,
  ) {
    this.current = this.load();
    this.code = new CodeReloader(settings.projectDir, path.join(settings.stateDir, 'bundles'));
    this.workloads = new Workloads({
      // Functions reach the emulators through the fault proxies, when faults are asked for.
      sqsEndpoint: faults.sqsEndpoint,
      dynamodbEndpoint: faults.dynamodbEndpoint,
      eventsEndpoint: emulators.eventsEndpoint.endpoint,
      secretsEndpoint: emulators.secretsEndpoint,
      ...(settings.functionEnvironment ? { functionEnvironment: settings.functionEnvironment } : {}),
      s3Endpoint: emulators.s3Endpoint,
      ...(faults.draw ? { fault: faults.draw } : {}),
      ...(settings.meter ? { meter: settings.meter } : {}),
      pollerSqs: emulators.pollerSqs,
      queueUrl: emulators.queueUrl,
      sendMessage: queueSender(emulators.sqs, emulators.queueUrl),
      path: settings.hostEnv.PATH ?? '',
      limit: settings.concurrency,
      unpolled: settings.functionConcurrency,
      output: settings.output,
      onBatch: (batch) => {
        for (const e of this.extensions) e.batchProcessed?.(batch);
      },
    });
    this.router = new EventRouter({
      plan: () => this.current,
      sendMessage: queueSender(emulators.sqs, emulators.queueUrl),
      invoke: (logicalId, event) => {
        const fn = this.workloads.function(logicalId);
        if (!fn) return Promise.reject(new Error(`no local function ${logicalId}`));
        return fn.invoke(event);
      },
      log: (line) => settings.output.info(`[events] ${line}`),
    });
    const view = this.view();
    this.extensions = settings.extensions.map((create) => create(view));
  }

  get url(): string {
    return this.front.url;
  }

  /** PutEvents, as the local EventBridge endpoint hands it the entries. */
  readonly putEvents = (entries: Parameters<EventRouter['put']>[0]) => this.router.put(entries);

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

  schedules(): ScheduleState[] {
    return this.workloads.scheduleStates();
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
    const report = (message: string) => this.settings.output.info(message);
    const seconds = this.settings.ttlSweepSeconds;
    this.background.push(
      startSweep('TTL sweep', seconds, () => this.emulators.sweepExpired(this.current.tables), report),
      // S3 lifecycle expirations on the same beat.
      startSweep('Lifecycle sweep', seconds, () => this.emulators.sweepExpiredObjects(this.current.buckets), report),
    );
    if (this.settings.watch) {
      // In the background: serving starts at once; a reload waits for it.
      this.indexed = this.indexCode();
      this.background.push(
        watchSources(this.settings.projectDir, this.settings.sources, (changed) => void this.reload(changed)),
      );
    }
  }

  reload(changed?: readonly string[]): Promise<void> {
    this.reloading = this.reloading.then(() => this.reloadOnce(changed));
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
      await this.emulators.eventsEndpoint.stop();
      await this.faults.stop();
      await this.metering.stop();
      await this.emulators.stop();
      this.code.dispose();
    })();
    return this.stopped;
  }

  /** Reads the plan from the cloud assembly. */
  private load(): LocalPlan {
    // Functions' queue URLs name the endpoint they are given: the SDK sends a call to its QueueUrl's host.
    const functionQueueUrl = (name: string) => `${this.faults.sqsEndpoint}/${LOCAL_ACCOUNT}/${name}`;
    return loadPlan(this.settings.assemblyDir, this.settings.stack, functionQueueUrl);
  }

  /** Brings queues, tables, functions and pollers in line with `plan`, then tells the extensions. */
  private async apply(plan: LocalPlan): Promise<string[]> {
    await this.emulators.ensureQueues(plan.queues);
    await this.emulators.ensureTables(plan.tables);
    await this.emulators.ensureBuckets(plan.buckets);
    const generated = this.emulators.ensureSecrets(plan.secrets);
    if (this.generatedAtStart === undefined) this.generatedAtStart = generated;
    else
      for (const g of generated)
        this.settings.output.info(`Secret ${g.name} generated: ${g.value}  (shown only this once)`);
    const changes = await this.workloads.apply(plan);
    this.current = plan;
    for (const e of this.extensions) e.planApplied?.(plan);
    return changes;
  }

  /**
   * Applies a change: nothing for files nothing is built from, a rebuild of the
   * bundles that read the changed files when the CDK app reads none of them,
   * else a synth. A failure keeps the previous version running.
   */
  private async reloadOnce(changed?: readonly string[]): Promise<void> {
    if (this.stopping) return;
    await this.indexed;
    const decision = this.code.decide(changed);
    if (decision.kind === 'nothing') return;
    const out = this.settings.output;
    const started = performance.now();
    const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
    try {
      if (decision.kind === 'rebuild') {
        const changes = await this.apply(await this.code.rebuild(this.current, decision.functions));
        const files = decision.files.map((f) => path.relative(this.settings.projectDir, f)).join(', ');
        out.info(`Reloaded in ${seconds()} s: ${changes.join(', ')} (function code only, ${files}; no synth needed).`);
        return;
      }
      await ensureSynth({
        ...synthOptions(this.settings),
        mode: 'always',
        onStart: () => out.info('Change detected; synthesizing ...'),
      });
      const changes = await this.apply(this.load());
      this.indexed = this.indexCode();
      await this.indexed;
      out.info(`Reloaded in ${seconds()} s${changes.length ? `: ${changes.join(', ')}` : '; nothing changed'}.`);
    } catch (error) {
      const e = error as Error & { output?: string };
      out.info(`Reload failed; still running the previous version.\n${e.output || e.message}`);
    }
  }

  /** Learns what the app and each bundle are built from, for reloads of function code alone. */
  private async indexCode(): Promise<void> {
    if (this.settings.watch)
      await this.code.index(this.current, appCommandOf(this.settings.projectDir, this.settings.app));
  }

  /** One request: an extension's, else the REST API's. */
  private handle(req: IncomingMessage, res: ServerResponse): void {
    for (const e of this.extensions) if (e.handleRequest?.(req, res)) return;
    const meter = this.settings.meter;
    handleApiRequest(req, res, {
      api: () => this.current.apis[0],
      invoke: (logicalId, event) => {
        const fn = this.workloads.function(logicalId);
        if (!fn) throw new Error(`No local function ${logicalId}`);
        return fn.invoke(event);
      },
      ...(meter
        ? {
            accessLog: (line, api) => meter.log(`API ${api.logicalId} access log`, line),
            requested: (api) => meter.call(`API ${api.logicalId}`, 'apigateway', 'REST API request'),
          }
        : {}),
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
        eventsEndpoint: this.emulators.eventsEndpoint.endpoint,
        s3Endpoint: this.s3Endpoint,
        ...(note ? { concurrencyNote: note } : {}),
        ...(this.faults.note ? { faultNote: this.faults.note } : {}),
        schedules: this.workloads.scheduleStates(),
        secrets: {
          endpoint: this.emulators.secretsEndpoint,
          file: path.relative(this.settings.projectDir, path.join(this.settings.stateDir, SECRETS_FILE)),
          generated: this.generatedAtStart ?? [],
        },
        contributions: this.extensions.map((e) => e.banner?.(plan) ?? {}),
      }),
    );
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
      schedules: () => this.workloads.scheduleStates(),
      output: this.settings.output,
      eventsEndpoint: this.emulators.eventsEndpoint.endpoint,
      recentEvents: (after, limit) => this.router.recent.list(after, limit),
    };
  }
}
