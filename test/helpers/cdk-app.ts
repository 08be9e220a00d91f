import { App } from 'aws-cdk-lib';

/** CDK's context key that names the stacks whose assets are bundled at synth: `['**']` every one, `[]` none. */
const BUNDLING_STACKS = 'aws:cdk:bundling-stacks';

/**
 * An App for infra tests. By default its functions are not bundled: CDK stages
 * a placeholder asset instead of running esbuild for every function of every
 * synth (and installing sharp for the image worker), which was most of the
 * infra suite's time. The templates are the same but for the assets' hashes.
 * `bundle: true` is for the tests that read what an asset holds.
 */
export function testApp(options: { readonly bundle?: boolean } = {}): App {
  return new App({ context: { [BUNDLING_STACKS]: options.bundle ? ['**'] : [] } });
}
