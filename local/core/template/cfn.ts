/** The parts of a synthesized CloudFormation template that template reading looks at. */

/** A template resource, as CloudFormation declares it. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly DependsOn?: unknown;
}

/** A synthesized CloudFormation template. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { readonly Default?: unknown }>;
}

/** The template's resources of one type, as `[logicalId, resource]` pairs in template order. */
export function resourcesOfType(template: CfnTemplate, ...types: readonly string[]): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => types.includes(r.Type));
}

/** A property as text; `undefined` when absent or null. */
export function text(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : String(value);
}

/** The logical id a `{ Ref: id }` names; `undefined` for anything else. */
export function refOf(value: unknown): string | undefined {
  return (value as { Ref?: string } | undefined)?.Ref ?? undefined;
}
