#!/usr/bin/env node
// The CLI is TypeScript that shares modules with the Lambdas; tsx compiles it on load, so there is no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
const { processIo } = await import('./io.ts');
// Ctrl+C asks the command to stop (watch, --wait, events --follow, which then removes its tap); a command that
// does not listen, or a second Ctrl+C, ends the process as Ctrl+C always did.
const stop = new AbortController();
process.once('SIGINT', () => {
  stop.abort();
  process.once('SIGINT', () => process.exit(130));
  setTimeout(() => process.exit(130), 5000).unref();
});
const code = await main(process.argv.slice(2), processIo(stop.signal));
// Exit now rather than when idle keep-alive sockets close; stdout and stderr are synchronous for files and pipes.
process.exit(code);
