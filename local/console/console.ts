/**
 * queue-workers' operator console, plugged into the local runtime: the web
 * dashboard at `/ui` with its JSON endpoints under `/ui/api/`, `/openapi.json`,
 * per-queue throughput counted from the pollers' batches, and the state file
 * `qw` reads to find the runtime.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NotFoundError } from '../../lambda/shared/errors.js';
import { quote } from '../../lambda/shared/quote.js';
import type { LocalPlan } from '../core/plan.js';
import type {
  BannerContribution,
  ExtensionFactory,
  ProcessedBatch,
  RuntimeExtension,
  RuntimeView,
} from '../core/runtime/extension.js';
import { sendError, sendJson } from './console-http.js';
import { type DashboardDeps, serveDashboardApi } from './dashboard-api.js';
import { firstJobType, jobTypesOfPlan } from './job-types.js';
import { OldestMessageAges } from './oldest-message.js';
import { StateFile } from './state-file.js';
import { openApiFor, sendAsset } from './static-files.js';
import { Throughput } from './throughput.js';

/** Options of {@link operatorConsole}. */
export interface ConsoleOptions {
  /**
   * Where to write where this runtime's API, queues and table are, so that `qw`
   * finds it; removed on stop. A path is taken relative to the runtime's state
   * directory. `npm start` passes `local.json`; runtimes started from code
   * (tests, benchmarks) must not take over the file a developer's `qw` reads.
   * @default false - no file
   */
  readonly stateFile?: string | false;
  /** The clock, for throughput and ages. @default Date.now */
  readonly now?: () => number;
}

/** The operator console, as an extension of the local runtime. */
export function operatorConsole(options: ConsoleOptions = {}): ExtensionFactory {
  return (runtime) => new OperatorConsole(runtime, options);
}

class OperatorConsole implements RuntimeExtension {
  private readonly deps: DashboardDeps;
  private readonly stateFile: StateFile | undefined;

  constructor(
    private readonly runtime: RuntimeView,
    options: ConsoleOptions,
  ) {
    const now = options.now ?? Date.now;
    this.deps = {
      runtime,
      doc: DynamoDBDocumentClient.from(runtime.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
      throughput: new Throughput(now),
      oldest: new OldestMessageAges(runtime.sqsEndpoint, now),
      now,
    };
    this.stateFile = options.stateFile
      ? new StateFile(path.resolve(runtime.stateDir, options.stateFile), runtime)
      : undefined;
  }

  handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    if (pathname !== '/openapi.json' && pathname !== '/ui' && !pathname.startsWith('/ui/')) return false;
    this.serve(req, res, pathname).catch((error: unknown) => sendError(res, error));
    return true;
  }

  batchProcessed(batch: ProcessedBatch): void {
    this.deps.throughput.record(batch.queue.name, batch.outcome.deleted);
  }

  planApplied(): void {
    this.stateFile?.write();
  }

  banner(plan: LocalPlan): BannerContribution {
    const url = this.runtime.url;
    const api = plan.apis.length > 0;
    const types = jobTypesOfPlan(plan, this.runtime.queueUrl).map((t) => t.type);
    const example = firstJobType(plan);
    return {
      services: [
        ...(api ? [{ label: 'Dashboard', text: `${url}/ui   OpenAPI ${url}/openapi.json   CLI npx qw watch` }] : []),
        ...(types.length ? [{ label: 'Job types', text: types.join(', ') }] : []),
      ],
      hints:
        api && example
          ? [
              {
                label: 'Try',
                text: `curl -s -X POST -H "content-type: application/json" \\\n  -d '{"type":"${example}","payload":{}}' ${url}/jobs`,
              },
            ]
          : [],
    };
  }

  stop(): void {
    this.stateFile?.remove();
  }

  private async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (pathname === '/openapi.json') {
      const plan = this.runtime.plan();
      const types = jobTypesOfPlan(plan, this.runtime.queueUrl).map((t) => t.type);
      sendJson(res, 200, openApiFor(plan, types, this.runtime.url));
      return;
    }
    if ((req.method ?? 'GET').toUpperCase() === 'GET' && (await sendAsset(res, pathname))) return;
    if (pathname === '/ui/api' || pathname.startsWith('/ui/api/')) return serveDashboardApi(req, res, this.deps);
    throw new NotFoundError(`Nothing at ${quote(pathname)}.`);
  }
}
