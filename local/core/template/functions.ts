import * as path from 'node:path';
import type { BundlingDef, FunctionDef } from '../plan.js';
import { type CfnResource, resourcesOfType, text } from './cfn.js';
import { IntrinsicError } from './intrinsics.js';
import type { ReadingContext } from './reading-context.js';

/**
 * Every `AWS::Lambda::Function` that can run locally: a Node.js runtime with a
 * bundled asset in the cloud assembly. The others are noted and left out.
 */
export function readFunctions(ctx: ReadingContext): FunctionDef[] {
  const functions: FunctionDef[] = [];
  for (const [logicalId, resource] of resourcesOfType(ctx.template, 'AWS::Lambda::Function')) {
    const def = readFunction(ctx, logicalId, resource);
    if (def) functions.push(def);
  }
  return functions;
}

/** Logical ids of functions by every name a template may use for them: function name and ARN. */
export function functionIndex(functions: readonly FunctionDef[]): ReadonlyMap<string, string> {
  const index = new Map<string, string>();
  for (const f of functions) {
    index.set(f.functionName, f.logicalId);
    index.set(f.arn, f.logicalId);
  }
  return index;
}

function readFunction(ctx: ReadingContext, logicalId: string, resource: CfnResource): FunctionDef | undefined {
  const p = resource.Properties ?? {};
  const displayName = displayNameOf(logicalId, resource);
  const runtime = text(p.Runtime) ?? '';
  if (!runtime.startsWith('nodejs')) {
    ctx.notes.push(`Function ${displayName}: runtime "${runtime || 'container image'}" is not run locally.`);
    return undefined;
  }
  const asset = text(resource.Metadata?.['aws:asset:path']);
  if (!asset) {
    ctx.notes.push(`Function ${displayName}: no bundled asset in the cloud assembly; it is not run locally.`);
    return undefined;
  }
  const id = ctx.identities.get(logicalId);
  const reserved = p.ReservedConcurrentExecutions;
  return {
    logicalId,
    displayName,
    functionName: id?.ref ?? logicalId,
    arn: id?.attributes.Arn ?? '',
    codeDir: path.resolve(ctx.outDir, asset),
    handler: text(p.Handler) ?? 'index.handler',
    runtime,
    timeoutSeconds: Number(p.Timeout ?? 3),
    memoryMb: Number(p.MemorySize ?? 128),
    architecture: text((p.Architectures as unknown[] | undefined)?.[0]) ?? 'x86_64',
    environment: readEnvironment(ctx, displayName, p.Environment),
    ...(reserved !== undefined ? { reservedConcurrency: Number(reserved) } : {}),
    ...bundlingOf(resource),
  };
}

/** The `local:bundling` metadata, when a function declares a usable one. */
function bundlingOf(resource: CfnResource): { bundling?: BundlingDef } {
  const declared = resource.Metadata?.['local:bundling'] as Partial<BundlingDef> | undefined;
  if (typeof declared?.entry !== 'string' || typeof declared.esbuild !== 'object' || declared.esbuild === null)
    return {};
  return { bundling: { entry: declared.entry, esbuild: declared.esbuild } };
}

/** The construct path without the stack, `/Resource` and a trailing `/Function`; else the logical id. */
function displayNameOf(logicalId: string, resource: CfnResource): string {
  const cdkPath = text(resource.Metadata?.['aws:cdk:path']);
  if (!cdkPath) return logicalId;
  return cdkPath
    .split('/')
    .slice(1)
    .filter((s) => s !== 'Resource')
    .join('/')
    .replace(/\/Function$/, '');
}

/**
 * Environment.Variables with every intrinsic resolved. A variable that cannot be
 * resolved is left empty, and one that names a resource the runtime does not
 * emulate keeps a placeholder; both are noted.
 */
function readEnvironment(ctx: ReadingContext, displayName: string, environment: unknown): Record<string, string> {
  const resolved: Record<string, string> = {};
  const variables = (environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  for (const [name, value] of Object.entries(variables)) {
    ctx.resolver.placeholders.clear();
    try {
      resolved[name] = String(ctx.resolver.resolve(value));
    } catch (error) {
      if (!(error instanceof IntrinsicError)) throw error;
      ctx.notes.push(`Function ${displayName}: ${name} left empty: ${error.message}`);
      resolved[name] = '';
    }
    for (const placeholder of ctx.resolver.placeholders) {
      const type = ctx.template.Resources[placeholder]?.Type;
      ctx.notes.push(`Function ${displayName}: ${name} names ${type} ${placeholder}, which is not emulated locally.`);
    }
  }
  return resolved;
}
