export { buildProxyEvent, matchRoute, toGatewayResponse } from './api-gateway.js';
export { type Emulators, startEmulators } from './emulators.js';
export { type InvokeResult, LambdaFunction } from './lambda-function.js';
export { type LocalOptions, type LocalRuntime, PortInUseError, startLocal } from './runtime.js';
export { recordsToDelete, SqsPoller, toSqsRecord } from './sqs-poller.js';
export { SynthError } from './synth.js';
export { type LocalPlan, loadPlan } from './template.js';
export { createOutput, type Output } from './terminal.js';
