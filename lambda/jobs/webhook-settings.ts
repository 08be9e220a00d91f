import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadWebhookConfig, type WebhookConfig } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { signingKeyOf } from '../shared/webhook-signature.js';

/** What webhook.deliver needs besides its payload: where it may connect, and the key it signs with. */
export interface WebhookSettings {
  /** Private, loopback and link-local addresses may be called. */
  allowPrivateNetworks(): boolean;
  /** The stack's Standard Webhooks key, for jobs that ask to be signed. */
  signingKey(): Promise<Buffer>;
}

/** Reads a secret's current string value: Secrets Manager's GetSecretValue. */
export type SecretReader = (secretId: string) => Promise<string>;

/**
 * GetSecretValue, with a client built for the one read of a cold start. The
 * SDK is imported statically, not with import(): in the functions' CommonJS
 * bundles a dynamic import goes through ES module resolution, which ignores
 * NODE_PATH, where an emulator's runtime (and Lambda's) may keep the SDK.
 * Once the other SDK clients are loaded, this one adds about 4 ms to a cold start.
 */
const readFromSecretsManager: SecretReader = async (secretId) => {
  const client = new SecretsManagerClient({});
  try {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    if (out.SecretString === undefined) throw new ConfigError(`Secret ${secretId} holds no string.`);
    return out.SecretString;
  } finally {
    client.destroy();
  }
};

/**
 * webhook.deliver's settings from the function's environment, read on first
 * use rather than at import: the CDK app and the API import every job type
 * too, and have no such environment. The signing key is read from Secrets
 * Manager once per cold start and cached; a read that fails is tried again by
 * the next job rather than cached. A rotated secret is used from the next
 * cold start on.
 */
export function environmentSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  read: SecretReader = readFromSecretsManager,
): WebhookSettings {
  let config: WebhookConfig | undefined;
  let key: Promise<Buffer> | undefined;
  const current = () => {
    config ??= loadWebhookConfig(env);
    return config;
  };
  return {
    allowPrivateNetworks: () => current().allowPrivateNetworks,
    signingKey() {
      const arn = current().signingSecretArn;
      if (!arn) {
        return Promise.reject(
          new ConfigError('This worker has no signing secret (WEBHOOK_SIGNING_SECRET_ARN); the stack gives it one.'),
        );
      }
      key ??= read(arn)
        .then(signingKeyOf)
        .catch((error: unknown) => {
          key = undefined;
          throw error;
        });
      return key;
    },
  };
}
