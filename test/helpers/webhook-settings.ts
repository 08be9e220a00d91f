import { randomBytes } from 'node:crypto';
import type { WebhookSettings } from '../../lambda/jobs/webhook-settings.js';
import { signingKeyOf } from '../../lambda/shared/webhook-signature.js';

/** A fresh Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** webhook.deliver's settings for a test: private networks refused unless asked, and a fresh signing secret. */
export function webhookSettings(
  options: { allowPrivateNetworks?: boolean; secret?: string } = {},
): WebhookSettings & { readonly secret: string } {
  const secret = options.secret ?? newWebhookSecret();
  return {
    secret,
    allowPrivateNetworks: () => options.allowPrivateNetworks ?? false,
    signingKey: async () => signingKeyOf(secret),
  };
}
