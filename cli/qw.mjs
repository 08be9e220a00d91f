#!/usr/bin/env node
// The CLI is TypeScript that shares modules with the Lambdas; tsx compiles it on load, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const code = await main(process.argv.slice(2));
// Exit now rather than when idle keep-alive sockets close; stdout and stderr are synchronous for files and pipes.
process.exit(code);
