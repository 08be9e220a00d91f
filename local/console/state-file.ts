import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { type LocalState, removeLocalState, writeLocalState } from '../../ops/local-state.js';
import type { RuntimeView } from '../core/runtime/extension.js';
import { jobTableName, jobTypesOfPlan, retentionDaysOf } from './job-types.js';

/**
 * `.qw/local.json`: where this runtime's API, queues and table are, so that
 * `qw` finds it without flags. Written at start and after each reload, removed
 * at stop (if it still describes this process).
 */
export class StateFile {
  private readonly startedAt = new Date();

  constructor(
    private readonly file: string,
    private readonly runtime: RuntimeView,
  ) {}

  write(): void {
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      writeLocalState(this.file, this.state());
    } catch (error) {
      this.runtime.output.info(
        `Could not write ${this.file} (qw will not find this runtime): ${(error as Error).message}`,
      );
    }
  }

  remove(): void {
    removeLocalState(this.file, process.pid);
  }

  private state(): LocalState {
    const plan = this.runtime.plan();
    return {
      version: 1,
      pid: process.pid,
      url: this.runtime.url,
      stackName: plan.stackName,
      region: plan.region,
      sqsEndpoint: this.runtime.sqsEndpoint,
      dynamodbEndpoint: this.runtime.dynamodbEndpoint,
      tableName: jobTableName(plan),
      retentionDays: retentionDaysOf(plan),
      startedAt: this.startedAt.toISOString(),
      types: jobTypesOfPlan(plan, this.runtime.queueUrl),
    };
  }
}
