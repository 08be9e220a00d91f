/**
 * `npm run emulator`: runs a LocalStack-compatible AWS emulator on 127.0.0.1.
 *
 * By default that is ministack, at the version pinned in emulator/requirements.txt,
 * from a project-local Python venv (.venv/) created when it is missing or holds
 * another version. With LOCALSTACK_AUTH_TOKEN set and a working `docker`, it runs
 * LocalStack through emulator/docker-compose.yml instead (EMULATOR=ministack
 * forces ministack). It waits for the health endpoint, then runs until Ctrl+C.
 *
 * Environment: GATEWAY_PORT (default 4566), PYTHON (interpreter used to create the
 * venv), EMULATOR (`ministack` | `localstack`).
 */
import { DEFAULT_PORT } from '../endpoint.js';
import { isHealthy } from '../health.js';
import { chooseEmulator, startLocalStack } from '../localstack.js';
import { pinnedMinistackVersion, startMinistack } from '../ministack.js';

async function main(): Promise<void> {
  const port = Number(process.env.GATEWAY_PORT ?? DEFAULT_PORT);
  const endpoint = `http://127.0.0.1:${port}`;
  if (await isHealthy(endpoint)) {
    console.log(`An emulator already answers at ${endpoint}; not starting another.`);
    return;
  }
  const kind = chooseEmulator(process.env);
  const started = Date.now();
  const emulator = kind === 'localstack' ? await startLocalStack({ port }) : await startMinistack({ port });
  const version = kind === 'ministack' ? ` ${pinnedMinistackVersion()}` : '';
  console.log(
    `\n${kind}${version} is ready at ${endpoint} (${((Date.now() - started) / 1000).toFixed(1)} s). Deploy with \`npm run deploy:local\`; Ctrl+C stops it.`,
  );
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    console.log(`\nStopping ${kind}...`);
    emulator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await emulator.exited;
  if (!stopping) {
    console.error(`${kind} exited on its own.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
