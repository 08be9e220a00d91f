#!/usr/bin/env node
/**
 * The CDK app the contract test runs locally: the stack `npm start` runs
 * (`bin/app.ts`'s QueueWorkersStack with its defaults, IAM auth among them)
 * with one change, the webhook.deliver worker's event source disabled.
 * Schemathesis generates any URL the document allows, so a delivered webhook
 * could call any host; a job that is never polled calls nothing. The API, its
 * document and every other worker are the app's own. (cdk-nag's checks, which
 * bin/app.ts adds, change no resource and are left out.)
 */
import { App } from 'aws-cdk-lib';
import { type CfnEventSourceMapping, EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { QueueWorkersStack } from '../lib/queue-workers-stack.js';

/** The stack's name in this app, as in `npm start`'s. */
export const CONTRACT_STACK = 'QueueWorkers';

/** Job types whose workers do not poll during the contract run, because their jobs reach outside the machine. */
export const UNPOLLED_JOB_TYPES = ['webhook.deliver'] as const;

if (process.env.CDK_OUTDIR) {
  const app = new App();
  const stack = new QueueWorkersStack(app, CONTRACT_STACK, { env: { region: 'us-east-1' } });
  for (const type of UNPOLLED_JOB_TYPES) {
    const worker = stack.workers[type];
    if (!worker) throw new Error(`The stack has no worker for "${type}"; update UNPOLLED_JOB_TYPES.`);
    const mappings = worker.function.node.children.filter((c) => c instanceof EventSourceMapping);
    if (mappings.length === 0) throw new Error(`The ${type} worker has no event source to disable.`);
    for (const mapping of mappings) (mapping.node.defaultChild as CfnEventSourceMapping).enabled = false;
  }
  app.synth();
}
