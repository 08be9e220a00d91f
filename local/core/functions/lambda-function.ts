import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { InvocationFault } from '../faults/fault-plan.js';
import type { UsageMeter } from '../metering/usage.js';
import type { FunctionDef } from '../plan.js';
import type { InvokeResult } from './invoke-result.js';

const BOOTSTRAP = fileURLToPath(new URL('./lambda-bootstrap.mjs', import.meta.url));
/** Lambda's limit on the init phase. */
const INIT_TIMEOUT_MS = 10_000;

/** Where a function's output goes: one call per line it writes. */
export type LineSink = (functionName: string, line: string, stream: 'stdout' | 'stderr') => void;

/** Options of {@link LambdaFunction}. */
export interface LambdaFunctionOptions {
  /** Environment every execution environment gets on top of the template's (endpoints, region, credentials). */
  readonly baseEnv: Readonly<Record<string, string>>;
  /** Most execution environments at once; further invocations wait for one to free up. */
  readonly maxEnvironments: number;
  readonly output: LineSink;
  /** Counts invocations, their duration and log lines, when the runtime meters usage. @default none */
  readonly meter?: UsageMeter;
}

interface Environment {
  readonly worker: Worker;
  readonly generation: number;
  readonly ready: Promise<void>;
  busy: boolean;
  dead: boolean;
  current?: { id: string; settle(result: InvokeResult): void };
}

/**
 * A Lambda function run as Lambda runs it: each execution environment (a worker
 * thread with the function's own `process.env`) handles one invocation at a time
 * and stays warm for the next; an invocation past the timeout is stopped by
 * terminating its environment, and a crash discards only that environment.
 * {@link update} swaps the code for new invocations without losing any in flight.
 */
export class LambdaFunction {
  private def: FunctionDef;
  private generation = 0;
  private readonly envs = new Set<Environment>();
  private readonly waiting: ((env: Environment) => void)[] = [];
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;

  constructor(
    def: FunctionDef,
    private readonly options: LambdaFunctionOptions,
  ) {
    this.def = def;
  }

  get definition(): FunctionDef {
    return this.def;
  }

  /** Invocations running or waiting for an environment. */
  get active(): number {
    return this.inFlight;
  }

  /** Uses new code and configuration from the next invocation on; warm environments of the old code are retired. */
  update(def: FunctionDef): void {
    this.def = def;
    this.generation += 1;
    for (const env of this.envs) if (!env.busy) this.retire(env);
  }

  /**
   * Invokes synchronously (RequestResponse) with `event`; never throws for a
   * function error. `fault` breaks this one invocation on purpose (QW_FAULTS).
   */
  async invoke(event: unknown, fault?: InvocationFault): Promise<InvokeResult> {
    if (this.stopped) throw new Error(`${this.def.displayName} is stopped`);
    this.inFlight += 1;
    const started = performance.now();
    try {
      const env = await this.acquire();
      try {
        await env.ready;
      } catch (error) {
        this.retire(env);
        return { ...(error as { errorType: string; errorMessage: string }), ok: false, timedOut: false, durationMs: 0 };
      }
      return await this.run(env, event, started, fault);
    } finally {
      this.inFlight -= 1;
      if (this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Waits for invocations in flight, then ends every environment. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.inFlight > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all([...this.envs].map((env) => this.retire(env)));
  }

  private run(env: Environment, event: unknown, started: number, fault: InvocationFault): Promise<InvokeResult> {
    const def = this.def;
    const id = randomUUID();
    const timeoutMs = def.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    return new Promise<InvokeResult>((resolve) => {
      const timer = setTimeout(() => {
        this.options.output(
          def.displayName,
          `${new Date().toISOString()} ${id} Task timed out after ${def.timeoutSeconds.toFixed(2)} seconds`,
          'stderr',
        );
        // Lambda discards the environment of a timed-out invocation; mark it before it can be reused.
        env.dead = true;
        settle({
          ok: false,
          errorType: 'Sandbox.Timedout',
          errorMessage: `Task timed out after ${def.timeoutSeconds.toFixed(2)} seconds`,
          timedOut: true,
          durationMs: performance.now() - started,
        });
      }, timeoutMs);
      const settle = (result: InvokeResult) => {
        if (env.current?.id !== id) return;
        clearTimeout(timer);
        env.current = undefined;
        // Lambda bills the invocation from its start in the environment, not the wait for one.
        this.options.meter?.invocation(def, performance.now() - posted, id);
        resolve({ ...result, durationMs: performance.now() - started });
        this.release(env);
      };
      env.current = { id, settle };
      const posted = performance.now();
      if (fault === 'crash') this.crashDuring(env, timeoutMs);
      env.worker.postMessage({
        type: 'invoke',
        id,
        event,
        hang: fault === 'hang',
        context: {
          awsRequestId: id,
          deadline,
          functionName: def.functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: def.arn,
          memoryLimitInMB: String(def.memoryMb),
          logGroupName: `/aws/lambda/${def.functionName}`,
          logStreamName: `local/[$LATEST]${env.worker.threadId}`,
        },
      });
    });
  }

  /**
   * Fault injection (QW_FAULTS crash): ends the environment at a random moment
   * of the invocation's first seconds, as a crash in native code or running out
   * of memory would; the invocation fails with Runtime.ExitError.
   */
  private crashDuring(env: Environment, timeoutMs: number): void {
    const after = Math.floor(Math.random() * Math.min(timeoutMs / 2, 2_000));
    setTimeout(() => {
      if (env.dead || !env.current) return;
      this.options.output(
        this.def.displayName,
        '[fault] the execution environment crashed (QW_FAULTS crash)',
        'stderr',
      );
      void env.worker.terminate();
    }, after).unref();
  }

  private acquire(): Promise<Environment> {
    for (const env of this.envs) {
      if (!env.busy && !env.dead && env.generation === this.generation) {
        env.busy = true;
        return Promise.resolve(env);
      }
    }
    if (this.envs.size < this.options.maxEnvironments) {
      const env = this.spawn();
      env.busy = true;
      return Promise.resolve(env);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(env: Environment): void {
    env.busy = false;
    if (env.dead || env.generation !== this.generation) {
      void this.retire(env);
      const next = this.waiting.shift();
      if (next) {
        const fresh = this.spawn();
        fresh.busy = true;
        next(fresh);
      }
      return;
    }
    const next = this.waiting.shift();
    if (next) {
      env.busy = true;
      next(env);
    }
  }

  private spawn(): Environment {
    const def = this.def;
    const { meter, output } = this.options;
    const worker = startWorker(def, this.options.baseEnv, meter?.appIdOf(def.logicalId));
    const sink = (stream: 'stdout' | 'stderr') => (line: string) => {
      meter?.functionLog(def, line);
      output(def.displayName, line, stream);
    };
    pipeLines(worker.stdout, sink('stdout'));
    pipeLines(worker.stderr, sink('stderr'));
    const init = initPhase();
    const record: Environment = { worker, generation: this.generation, ready: init.ready, busy: false, dead: false };
    this.follow(record, init);
    this.envs.add(record);
    return record;
  }

  /** Settles the environment's init phase and invocations from what its worker reports, crashes included. */
  private follow(record: Environment, init: InitPhase): void {
    const def = this.def;
    record.worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'ready') {
        init.succeed();
      } else if (message.type === 'init-error') {
        this.options.output(
          def.displayName,
          `INIT_REPORT ${message.error.errorType}: ${message.error.errorMessage}`,
          'stderr',
        );
        init.fail(message.error);
      } else if (message.type === 'result' && record.current?.id === message.id) {
        const durationMs = 0;
        record.current.settle(
          message.ok
            ? { ok: true, payload: JSON.parse(message.payload) as unknown, durationMs }
            : { ok: false, ...message.error, timedOut: false, durationMs },
        );
      }
    });
    const crashed = (errorType: string, errorMessage: string) => {
      record.dead = true;
      init.fail({ errorType, errorMessage });
      record.current?.settle({ ok: false, errorType, errorMessage, timedOut: false, durationMs: 0 });
      this.envs.delete(record);
    };
    record.worker.on('error', (error: Error & { code?: string }) => {
      const oom = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.options.output(def.displayName, `Runtime exited: ${error.stack ?? error.message}`, 'stderr');
      crashed(
        oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
        oom ? `Runtime exited: out of memory (${def.memoryMb} MB)` : `Runtime exited with error: ${error.message}`,
      );
    });
    record.worker.on('exit', (code) => {
      if (!record.dead) crashed('Runtime.ExitError', `Runtime exited with exit code ${code}`);
    });
  }

  private async retire(env: Environment): Promise<void> {
    if (!this.envs.has(env) && env.dead) return;
    env.dead = true;
    this.envs.delete(env);
    await env.worker.terminate();
  }
}

/**
 * One execution environment: a worker thread running the bootstrap, with the
 * function's environment variables. When usage is metered, the SDK names the
 * function in each call's user agent, so the metering proxies know who called.
 */
function startWorker(def: FunctionDef, baseEnv: Readonly<Record<string, string>>, appId: string | undefined): Worker {
  const env: Record<string, string> = {
    ...baseEnv,
    ...(appId ? { AWS_SDK_UA_APP_ID: appId } : {}),
    ...def.environment,
    AWS_LAMBDA_FUNCTION_NAME: def.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(def.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${def.functionName}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_EXECUTION_ENV: `AWS_Lambda_${def.runtime}`,
    LAMBDA_TASK_ROOT: def.codeDir,
    _HANDLER: def.handler,
  };
  const worker = new Worker(BOOTSTRAP, {
    // Not the runtime's own flags (such as tsx's loader): Lambda runs the bundle on a bare Node.
    execArgv: [],
    env,
    stdout: true,
    stderr: true,
    workerData: {
      codeDir: def.codeDir,
      handler: def.handler,
      sourceMaps: (def.environment.NODE_OPTIONS ?? '').includes('--enable-source-maps'),
    },
    // Lambda's memory setting caps the heap; exceeding it ends the environment as Lambda's OOM would.
    // A small young generation keeps each idle environment's footprint near Lambda's, where the heap is sized to memory.
    resourceLimits: { maxOldGenerationSizeMb: def.memoryMb, maxYoungGenerationSizeMb: 8 },
    name: def.displayName,
  });
  worker.unref();
  return worker;
}

/** An environment's init phase: ready once the handler loaded, failed by an init error, a crash or the init timeout. */
interface InitPhase {
  readonly ready: Promise<void>;
  succeed(): void;
  fail(error: { errorType: string; errorMessage: string }): void;
}

function initPhase(): InitPhase {
  let resolve: () => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const ready = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // An environment nobody invoked yet may fail its init; that is reported when it is invoked.
  ready.catch(() => undefined);
  const timer = setTimeout(
    () => reject({ errorType: 'Runtime.InitTimeout', errorMessage: 'Init phase exceeded 10 seconds' }),
    INIT_TIMEOUT_MS,
  );
  return {
    ready,
    succeed() {
      clearTimeout(timer);
      resolve();
    },
    fail(error) {
      clearTimeout(timer);
      reject(error);
    },
  };
}

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'init-error'; error: { errorType: string; errorMessage: string } }
  | { type: 'result'; id: string; ok: true; payload: string }
  | { type: 'result'; id: string; ok: false; error: { errorType: string; errorMessage: string } };

function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl !== -1) {
      onLine(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      nl = buffer.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffer) onLine(buffer);
    buffer = '';
  });
}
