import { type FSWatcher, mkdirSync, watch } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ENV } from '../lambda/shared/config.js';
import { removeLocalState, writeLocalState } from '../ops/local-state.js';
import { LocalAdmin } from './admin.js';
import { handleApiRequest } from './api-gateway.js';
import { type Emulators, LOCAL_CREDENTIALS, startEmulators } from './emulators.js';
import { LambdaFunction } from './lambda-function.js';
import { DEFAULT_POLLERS, SqsPoller } from './sqs-poller.js';
import { ensureSynth } from './synth.js';
import { type LocalPlan, listStacks, loadPlan, type QueueDef, type RestApiDef } from './template.js';
import { createOutput, type Output } from './terminal.js';

/** Options of {@link startLocal}. */
export interface LocalOptions {
  /** @default process.env.PORT, else 3000; 0 picks a free port */
  readonly port?: number;
  /** @default process.env.HOST, else 127.0.0.1 */
  readonly host?: string;
  /** @default process.cwd() */
  readonly projectDir?: string;
  /** CDK app command. @default cdk.json's `app` */
  readonly app?: string;
  /** Cloud assembly directory, relative to the project. @default 'cdk.out' */
  readonly outDir?: string;
  /** Stack to run. @default the assembly's only stack */
  readonly stack?: string;
  /** Paths whose changes mean the app must be synthesized again. @default bin, lib, lambda, cdk.json */
  readonly sources?: readonly string[];
  /** @default 'auto' - synthesize when a source is newer than the assembly */
  readonly synth?: 'auto' | 'always' | 'never';
  /** Keep queues, messages and items in `stateDir` across restarts. @default false */
  readonly persist?: boolean;
  /** @default '.qw' */
  readonly stateDir?: string;
  /** Re-synthesize and reload functions when a source changes; queues and tables are kept. @default false */
  readonly watch?: boolean;
  /** Most concurrent environments of a function that no event source drives (the API). @default 10 */
  readonly functionConcurrency?: number;
  /** How often expired items (DynamoDB TTL) are deleted, in seconds; 0 turns it off. @default 60 */
  readonly ttlSweepSeconds?: number;
  /** Where logs and status go. @default process.stdout, with function logs and live status */
  readonly output?: Output;
  /**
   * Where to write where this runtime's API, queues and table are, so that `qw`
   * finds it; removed on stop. A path is taken relative to the state directory.
   * `npm start` passes `local.json`; runtimes started from code (tests,
   * benchmarks) must not take over the file a developer's `qw` reads.
   * @default false - no file
   */
  readonly stateFile?: string | false;
}

/** A running local copy of the app. */
export interface LocalRuntime {
  /** Base URL of the REST API, without the stage: `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly region: string;
  readonly sqsEndpoint: string;
  readonly dynamodbEndpoint: string;
  /** The current plan (updated by reloads). */
  plan(): LocalPlan;
  /** Local URL of a queue, by logical id or name. */
  queueUrl(queue: string): string;
  /** Synthesizes again and applies the result, keeping queues, messages and items. */
  reload(): Promise<void>;
  /** Stops accepting requests and polling, waits for invocations in flight, then shuts the emulators down. */
  stop(): Promise<void>;
}

/** The port is taken; the message says how to choose another. */
export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(
      `Port ${port} on ${host} is already in use. Stop what uses it, or choose another: PORT=${port + 1} npm start`,
    );
    this.name = 'PortInUseError';
  }
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error),
    );
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

interface PollerEntry {
  readonly key: string;
  readonly poller: SqsPoller;
}

/**
 * Runs the CDK app locally: synthesizes it when it changed, creates its queues
 * and tables in embedded emulators, runs its functions in Lambda-like execution
 * environments, serves its REST API and polls its SQS event sources.
 */
export async function startLocal(options: LocalOptions = {}): Promise<LocalRuntime> {
  const projectDir = path.resolve(options.projectDir ?? process.cwd());
  const host = options.host ?? process.env.HOST ?? '127.0.0.1';
  const requestedPort = options.port ?? (process.env.PORT ? Number(process.env.PORT) : 3000);
  const outDir = options.outDir ?? 'cdk.out';
  const stateDir = path.resolve(projectDir, options.stateDir ?? '.qw');
  const out = options.output ?? createOutput();
  const sources = options.sources ?? ['bin', 'lib', 'lambda', 'cdk.json'];

  let plan: LocalPlan | undefined;
  let api: RestApiDef | undefined;
  const functions = new Map<string, LambdaFunction>();
  let pollers: PollerEntry[] = [];
  let stopping = false;
  let admin: LocalAdmin | undefined;

  // The port is claimed first, so a taken port fails in a second, not after synthesis.
  const server = createServer((req, res) => {
    if (!plan || stopping) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(
        JSON.stringify({ message: stopping ? 'The local runtime is stopping.' : 'The local runtime is starting.' }),
      );
      return;
    }
    if (admin?.handles(req, res)) return;
    handleApiRequest(req, res, {
      api: () => api,
      invoke: (logicalId, event) => {
        const fn = functions.get(logicalId);
        if (!fn) throw new Error(`No local function ${logicalId}`);
        return fn.invoke(event);
      },
    }).catch((error: Error) => {
      out.info(`API request failed: ${error.stack ?? error.message}`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Internal server error' }));
    });
  });
  server.keepAliveTimeout = 5000;
  const port = await listen(server, host, requestedPort);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  let emulators: Emulators | undefined;
  const cleanupOnFailure = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await emulators?.stop();
  };

  const synthOptions = {
    projectDir,
    outDir,
    sources,
    ...(options.app !== undefined ? { app: options.app } : {}),
    onStart: () => out.info(`Synthesizing the CDK app into ${outDir} ...`),
  };
  try {
    await ensureSynth({ ...synthOptions, mode: options.synth ?? 'auto' });
    const assembly = path.resolve(projectDir, outDir);
    const stacks = listStacks(assembly);
    const region = (options.stack ? stacks.find((s) => s.name === options.stack) : stacks[0])?.region ?? 'us-east-1';
    emulators = await startEmulators({ region, ...(options.persist ? { dataDir: stateDir } : {}) });
  } catch (error) {
    await cleanupOnFailure();
    throw error;
  }
  const emu = emulators;
  const ops = new LocalAdmin({
    sqs: emu.sqs,
    dynamodb: emu.dynamodb,
    sqsEndpoint: emu.sqsEndpoint,
    dynamodbEndpoint: emu.dynamodbEndpoint,
    url,
    plan: () => plan as LocalPlan,
    queueUrl: emu.queueUrl,
  });
  const baseEnv: Record<string, string> = {
    AWS_REGION: '',
    AWS_DEFAULT_REGION: '',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: emu.sqsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emu.dynamodbEndpoint,
    PATH: process.env.PATH ?? '',
    LANG: 'en_US.UTF-8',
    NODE_ENV: 'production',
  };

  const pollerKey = (p: LocalPlan, id: string) => {
    const m = p.eventSources.find((e) => e.logicalId === id);
    const q = p.queues.find((x) => x.logicalId === m?.queueLogicalId);
    return JSON.stringify([m, q?.name]);
  };

  /** Brings queues, tables, functions, pollers and routes in line with a (new) plan. */
  async function apply(next: LocalPlan): Promise<string[]> {
    const changes: string[] = [];
    await emu.ensureQueues(next.queues);
    await emu.ensureTables(next.tables);
    baseEnv.AWS_REGION = next.region;
    baseEnv.AWS_DEFAULT_REGION = next.region;
    const pollersOf = (logicalId: string) =>
      next.eventSources
        .filter((e) => e.functionLogicalId === logicalId)
        .reduce((n, e) => n + (e.maxConcurrency ?? DEFAULT_POLLERS), 0);
    for (const def of next.functions) {
      const existing = functions.get(def.logicalId);
      if (!existing) {
        const driven = pollersOf(def.logicalId);
        functions.set(
          def.logicalId,
          new LambdaFunction(def, {
            baseEnv,
            maxConcurrency: def.reservedConcurrency ?? (driven || (options.functionConcurrency ?? 10)),
            output: (name, line, stream) => out.functionLine(name, line, stream),
          }),
        );
        if (plan) changes.push(`added ${def.displayName}`);
      } else if (JSON.stringify(existing.definition) !== JSON.stringify(def)) {
        existing.update(def);
        changes.push(`reloaded ${def.displayName}`);
      }
    }
    const keep = new Set(next.functions.map((f) => f.logicalId));
    const keys = new Set(next.eventSources.map((e) => pollerKey(next, e.logicalId)));
    const stale = pollers.filter((p) => !keys.has(p.key));
    await Promise.all(stale.map((p) => p.poller.stop()));
    pollers = pollers.filter((p) => keys.has(p.key));
    for (const [id, fn] of functions) {
      if (!keep.has(id)) {
        functions.delete(id);
        await fn.stop();
        changes.push(`removed ${fn.definition.displayName}`);
      }
    }
    for (const mapping of next.eventSources) {
      const key = pollerKey(next, mapping.logicalId);
      if (pollers.some((p) => p.key === key)) continue;
      const queue = next.queues.find((q) => q.logicalId === mapping.queueLogicalId) as QueueDef;
      const fnName = next.functions.find((f) => f.logicalId === mapping.functionLogicalId)?.displayName ?? '';
      const poller = new SqsPoller({
        sqs: emu.pollerSqs,
        mapping,
        queueUrl: emu.queueUrl(queue.name),
        queueArn: queue.arn,
        region: next.region,
        target: () => functions.get(mapping.functionLogicalId) as LambdaFunction,
        log: (line) => out.functionLine(fnName, `[event source ${queue.name}] ${line}`, 'stderr'),
        onBatch: (outcome) => ops.recordBatch(queue.name, outcome),
      });
      poller.start();
      pollers.push({ key, poller });
    }
    plan = next;
    api = next.apis[0];
    return changes;
  }

  try {
    const first = loadPlan(path.resolve(projectDir, outDir), options.stack, emu.queueUrl);
    await apply(first);
  } catch (error) {
    await Promise.all([...functions.values()].map((f) => f.stop()));
    await Promise.all(pollers.map((p) => p.poller.stop()));
    await cleanupOnFailure();
    throw error;
  }
  printBanner(out, plan as LocalPlan, url, emu);
  admin = ops;
  const stateFile = options.stateFile ? path.resolve(stateDir, options.stateFile) : undefined;
  const startedAt = new Date();
  const saveState = () => {
    if (!stateFile) return;
    try {
      mkdirSync(path.dirname(stateFile), { recursive: true });
      writeLocalState(stateFile, ops.state(process.pid, startedAt));
    } catch (error) {
      out.info(`Could not write ${stateFile} (qw will not find this runtime): ${(error as Error).message}`);
    }
  };
  saveState();

  // Live queue counters, only where someone is watching.
  let statusTimer: NodeJS.Timeout | undefined;
  if (out.live) {
    const refresh = async () => {
      const p = plan as LocalPlan;
      const dlqs = new Set(p.queues.map((q) => q.deadLetterQueue).filter(Boolean));
      const count = async (q: QueueDef) => {
        const attrs = await emu.sqs
          .send(
            new GetQueueAttributesCommand({
              QueueUrl: emu.queueUrl(q.name),
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          )
          .then((o) => o.Attributes ?? {})
          .catch(() => ({}) as Record<string, string>);
        return {
          visible: attrs.ApproximateNumberOfMessages ?? '?',
          inFlight: attrs.ApproximateNumberOfMessagesNotVisible ?? '?',
        };
      };
      const lines = await Promise.all(
        p.queues
          .filter((q) => !dlqs.has(q.logicalId))
          .map(async (q) => {
            const c = await count(q);
            const dlq = p.queues.find((d) => d.logicalId === q.deadLetterQueue);
            const d = dlq ? (await count(dlq)).visible : '-';
            return `  ${q.name.padEnd(36)} visible ${c.visible.padStart(6)}   in flight ${c.inFlight.padStart(6)}   DLQ ${d.padStart(6)}`;
          }),
      );
      if (!stopping) out.status(lines);
    };
    statusTimer = setInterval(() => void refresh(), 1000);
    statusTimer.unref();
    void refresh();
  }

  const ttlSeconds = options.ttlSweepSeconds ?? 60;
  let ttlTimer: NodeJS.Timeout | undefined;
  if (ttlSeconds > 0) {
    ttlTimer = setInterval(() => {
      const p = plan as LocalPlan;
      emu.sweepExpired(p.tables).catch((error: Error) => out.info(`TTL sweep failed: ${error.message}`));
    }, ttlSeconds * 1000);
    ttlTimer.unref();
  }

  let reloading: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    reloading = reloading.then(async () => {
      if (stopping) return;
      const started = performance.now();
      try {
        await ensureSynth({
          ...synthOptions,
          mode: 'always',
          onStart: () => out.info('Change detected; synthesizing ...'),
        });
        const next = loadPlan(path.resolve(projectDir, outDir), options.stack, emu.queueUrl);
        const changes = await apply(next);
        saveState();
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        out.info(`Reloaded in ${seconds} s${changes.length ? `: ${changes.join(', ')}` : '; nothing changed'}.`);
      } catch (error) {
        const e = error as Error & { output?: string };
        out.info(`Reload failed; still running the previous version.\n${e.output || e.message}`);
      }
    });
    return reloading;
  };

  const watchers: FSWatcher[] = [];
  if (options.watch) {
    let timer: NodeJS.Timeout | undefined;
    const onChange = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(), 300);
    };
    for (const s of sources) {
      try {
        watchers.push(watch(path.resolve(projectDir, s), { recursive: true }, onChange));
      } catch {
        // A source that does not exist (an app without lambda/) is simply not watched.
      }
    }
  }

  let stopped: Promise<void> | undefined;
  return {
    url,
    region: (plan as LocalPlan).region,
    sqsEndpoint: emu.sqsEndpoint,
    dynamodbEndpoint: emu.dynamodbEndpoint,
    plan: () => plan as LocalPlan,
    queueUrl(queue) {
      const p = plan as LocalPlan;
      const q = p.queues.find((x) => x.logicalId === queue || x.name === queue);
      if (!q) throw new Error(`No queue "${queue}" in stack ${p.stackName}.`);
      return emu.queueUrl(q.name);
    },
    reload,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (stateFile) removeLocalState(stateFile, process.pid);
        for (const w of watchers) w.close();
        clearInterval(statusTimer);
        clearInterval(ttlTimer);
        out.close();
        await reloading;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await Promise.all(pollers.map((p) => p.poller.stop()));
        await Promise.all([...functions.values()].map((f) => f.stop()));
        server.closeAllConnections();
        await closed;
        await emu.stop();
      })();
      return stopped;
    },
  };
}

function printBanner(out: Output, plan: LocalPlan, url: string, emu: Emulators): void {
  const api = plan.apis[0];
  const lines: string[] = [];
  lines.push(`Local runtime for stack ${plan.stackName} (${plan.region}); no AWS account is used.`);
  if (api) {
    lines.push(`  API        ${url}   (the deployed URL's stage path ${url}/${api.stage} works too)`);
    const routes = api.routes.flatMap((r) => [...r.methods.keys()].map((m) => `${m} ${r.resourcePath}`));
    lines.push(`  Routes     ${routes.join(', ')}`);
    lines.push(`  Dashboard  ${url}/ui   OpenAPI ${url}/openapi.json   CLI npx qw watch`);
  }
  const workers = plan.eventSources.map((e) => {
    const fn = plan.functions.find((f) => f.logicalId === e.functionLogicalId);
    const q = plan.queues.find((x) => x.logicalId === e.queueLogicalId);
    const type = fn?.environment[ENV.jobType];
    return `${type ?? fn?.displayName} (queue ${q?.name}, batch ${e.batchSize}, concurrency ${e.maxConcurrency ?? DEFAULT_POLLERS}, timeout ${fn?.timeoutSeconds} s)`;
  });
  if (workers.length) lines.push(`  Job types  ${workers.join('\n             ')}`);
  lines.push(`  SQS        ${emu.sqsEndpoint} (fauxqs)   DynamoDB ${emu.dynamodbEndpoint} (dynalite)`);
  if (api) {
    const authorized = api.routes.flatMap((r) =>
      [...r.methods.values()].filter((m) => m.authorizationType !== 'NONE' || m.apiKeyRequired),
    );
    if (authorized.length) {
      const kinds = [...new Set(authorized.map((m) => (m.apiKeyRequired ? 'API key' : m.authorizationType)))];
      lines.push(
        `  NOTE       ${authorized.length} API methods require ${kinds.join(' and ')} authorization on AWS; it is NOT checked locally.`,
      );
    }
  }
  for (const table of plan.tables) {
    if (table.ttlAttribute) {
      lines.push(
        `  NOTE       Table ${table.name}: dynalite has no TTL; the runtime deletes items past "${table.ttlAttribute}" every minute.`,
      );
    }
  }
  for (const note of plan.notes) lines.push(`  NOTE       ${note}`);
  const firstType = plan.functions.map((f) => f.environment[ENV.jobType]).find(Boolean);
  if (api && firstType) {
    lines.push('  Try        curl -s -X POST -H "content-type: application/json" \\');
    lines.push(`               -d '{"type":"${firstType}","payload":{}}' ${url}/jobs`);
  }
  lines.push('  Ctrl+C stops pollers, waits for work in flight, and exits.');
  out.info(lines.join('\n'));
}
