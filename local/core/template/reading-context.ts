import type { CfnTemplate } from './cfn.js';
import { localIdentities, pseudoParameters, type StackContext } from './identities.js';
import { IntrinsicResolver, type LocalIdentity } from './intrinsics.js';

/** What every resource reader gets: the template, each resource's local identity, and a resolver. */
export interface ReadingContext {
  readonly template: CfnTemplate;
  /** The cloud assembly's directory, where function assets are. */
  readonly outDir: string;
  readonly identities: ReadonlyMap<string, LocalIdentity>;
  readonly resolver: IntrinsicResolver;
  /** The logical id of a resource, by its local ARN. */
  readonly logicalIdByArn: ReadonlyMap<string, string>;
  /** Things that behave differently locally; readers add to it, the runtime prints it. */
  readonly notes: string[];
}

/** The context to read `template` with, as the stack described by `stack`. */
export function createReadingContext(template: CfnTemplate, stack: StackContext & { outDir: string }): ReadingContext {
  const identities = localIdentities(template.Resources, stack);
  const logicalIdByArn = new Map<string, string>();
  for (const [logicalId, id] of identities) {
    if (id.emulated && id.attributes.Arn) logicalIdByArn.set(id.attributes.Arn, logicalId);
  }
  return {
    template,
    outDir: stack.outDir,
    identities,
    resolver: new IntrinsicResolver(template, identities, pseudoParameters(stack)),
    logicalIdByArn,
    notes: [],
  };
}
