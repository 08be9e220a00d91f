/**
 * `npm run deploy:local`: bootstraps, then deploys the unchanged CDK app to a
 * LocalStack-compatible emulator (default http://127.0.0.1:4566, or
 * AWS_ENDPOINT_URL), and prints the job API's URL there. See emulator/deploy.ts
 * for why it cannot reach AWS.
 *
 * Usage: npm run deploy:local [-- --destroy] [-- --allow-non-loopback] [-- -c auth=apiKey]
 */
import { emulatorApiUrl, parseApiUrl } from '../api-url.js';
import { deployLocal, destroyLocal, type LocalDeployOptions, parseDeployLocalArgs } from '../deploy.js';

async function main(): Promise<void> {
  const { destroy, allowNonLoopback, context } = parseDeployLocalArgs(process.argv.slice(2), process.env);
  const { stackName: name, ...rest } = context;
  const options: LocalDeployOptions = {
    allowNonLoopback,
    context: rest,
    ...(name ? { stackName: name } : {}),
  };
  if (destroy) {
    await destroyLocal(options);
    return;
  }
  const result = await deployLocal(options);
  const apiUrl = result.outputs.ApiUrl;
  console.log(
    `\nDeployed ${result.stackName} to ${result.endpoint} (bootstrap ${result.bootstrapSeconds.toFixed(1)} s, deploy ${result.deploySeconds.toFixed(1)} s).`,
  );
  if (apiUrl) {
    const { restApiId, stage } = parseApiUrl(apiUrl);
    console.log(`Job API on the emulator: ${emulatorApiUrl(result.endpoint, restApiId, stage)}/jobs`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
