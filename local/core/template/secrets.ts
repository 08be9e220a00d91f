import type { GenerateSecretDef, SecretDef } from '../plan.js';
import { resourcesOfType, text } from './cfn.js';
import { IntrinsicError } from './intrinsics.js';
import type { ReadingContext } from './reading-context.js';

/**
 * Every `AWS::SecretsManager::Secret`: its name and ARN, and its value or how
 * to generate it. A secret with neither SecretString nor GenerateSecretString
 * is generated with GenerateSecretString's defaults, as Secrets Manager does.
 */
export function readSecrets(ctx: ReadingContext): SecretDef[] {
  return resourcesOfType(ctx.template, 'AWS::SecretsManager::Secret').flatMap<SecretDef>(([logicalId, resource]) => {
    const p = resource.Properties ?? {};
    const id = ctx.identities.get(logicalId);
    const arn = id?.ref ?? logicalId;
    // The ARN ends in `secret:<name>-<six characters>` (see identities.ts).
    const name = arn.slice(arn.indexOf(':secret:') + ':secret:'.length, -7);
    try {
      if (p.SecretString !== undefined) {
        return [{ logicalId, name, arn, secretString: String(ctx.resolver.resolve(p.SecretString)) }];
      }
      const generate = (ctx.resolver.resolve(p.GenerateSecretString ?? {}) ?? {}) as GenerateSecretDef;
      return [{ logicalId, name, arn, generate }];
    } catch (error) {
      if (!(error instanceof IntrinsicError)) throw error;
      ctx.notes.push(`Secret ${text(p.Name) ?? logicalId}: not served locally: ${error.message}`);
      return [];
    }
  });
}
