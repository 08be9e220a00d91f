#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type ApiAuth, QueueWorkersStack } from '../lib/queue-workers-stack.js';

const app = new App();
const auth = (app.node.tryGetContext('auth') as ApiAuth | undefined) ?? 'iam';
if (!['iam', 'apiKey', 'none'].includes(auth)) {
  throw new Error(`Context "auth" is "${auth}"; use iam, apiKey or none (cdk deploy -c auth=apiKey).`);
}
const emails = (app.node.tryGetContext('alarmEmails') as string | undefined)?.split(',').filter(Boolean);
// For an emulator, whose functions reach the host's loopback: see allowPrivateNetworks.
const allowPrivateNetworks = String(app.node.tryGetContext('allowPrivateNetworks') ?? 'false');
if (!['true', 'false'].includes(allowPrivateNetworks)) {
  throw new Error(`Context "allowPrivateNetworks" is "${allowPrivateNetworks}"; use true or false.`);
}
const uploadOrigins = (app.node.tryGetContext('uploadOrigins') as string | undefined)?.split(',').filter(Boolean);
const uploadMaxBytes = app.node.tryGetContext('uploadMaxBytes') as string | number | undefined;
// Test only (end-to-end tests of the submit path): see QueueWorkersStackProps.testOnlyCrashBetweenSteps.
const testOnlyCrash = app.node.tryGetContext('testOnlyCrashBetweenSteps') as string | number | undefined;

new QueueWorkersStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'QueueWorkers', {
  auth,
  ...(emails?.length ? { alarmEmails: emails } : {}),
  ...(allowPrivateNetworks === 'true' ? { allowPrivateNetworks: true } : {}),
  ...(testOnlyCrash !== undefined ? { testOnlyCrashBetweenSteps: Number(testOnlyCrash) } : {}),
  storage: {
    ...(uploadOrigins?.length ? { uploadOrigins } : {}),
    ...(uploadMaxBytes !== undefined ? { uploadMaxBytes: Number(uploadMaxBytes) } : {}),
  },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
