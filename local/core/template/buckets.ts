import type { BucketDef, CorsRuleDef, ExpirationRuleDef } from '../plan.js';
import { type CfnResource, resourcesOfType, text } from './cfn.js';
import { IntrinsicError } from './intrinsics.js';
import type { ReadingContext } from './reading-context.js';

/** Bucket properties the runtime does not emulate, and what the note says of each. */
const NOT_EMULATED: Readonly<Record<string, string>> = {
  BucketEncryption: 'encryption',
  PublicAccessBlockConfiguration: 'public access blocks (nothing listens beyond 127.0.0.1)',
  LoggingConfiguration: 'server access logs',
  NotificationConfiguration: 'event notifications',
  VersioningConfiguration: 'versioning',
  ReplicationConfiguration: 'replication',
};

/** Every `AWS::S3::Bucket`, with its CORS rules and its expiration rules. */
export function readBuckets(ctx: ReadingContext): BucketDef[] {
  return resourcesOfType(ctx.template, 'AWS::S3::Bucket').map(([logicalId, resource]) =>
    readBucket(ctx, logicalId, resource),
  );
}

function readBucket(ctx: ReadingContext, logicalId: string, resource: CfnResource): BucketDef {
  const p = resource.Properties ?? {};
  const name = ctx.identities.get(logicalId)?.ref ?? logicalId;
  const missing = Object.keys(NOT_EMULATED).filter((key) => p[key] !== undefined);
  if (missing.length) {
    ctx.notes.push(`Bucket ${name}: ${missing.map((k) => NOT_EMULATED[k]).join(', ')} not emulated.`);
  }
  const resolved = (key: string): unknown => {
    try {
      return ctx.resolver.resolve(p[key]);
    } catch (error) {
      if (!(error instanceof IntrinsicError)) throw error;
      ctx.notes.push(`Bucket ${name}: ${key} ignored: ${error.message}`);
      return undefined;
    }
  };
  const expirations = readExpirations(resolved('LifecycleConfiguration'));
  if (expirations.length) {
    ctx.notes.push(
      `Bucket ${name}: lifecycle expirations run once a minute, counted from each object's upload (S3 rounds up to midnight UTC).`,
    );
  }
  return { logicalId, name, cors: readCors(resolved('CorsConfiguration')), expirations };
}

function readCors(configuration: unknown): CorsRuleDef[] {
  const rules = (configuration as { CorsRules?: Record<string, unknown>[] } | undefined)?.CorsRules ?? [];
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  return rules.map((r) => ({
    allowedOrigins: list(r.AllowedOrigins),
    allowedMethods: list(r.AllowedMethods),
    allowedHeaders: list(r.AllowedHeaders),
    exposedHeaders: list(r.ExposedHeaders),
    ...(r.MaxAge !== undefined ? { maxAgeSeconds: Number(r.MaxAge) } : {}),
  }));
}

/** The enabled rules that expire current objects after a number of days; prefix from `Prefix` or `Filter`. */
function readExpirations(configuration: unknown): ExpirationRuleDef[] {
  const rules = (configuration as { Rules?: Record<string, unknown>[] } | undefined)?.Rules ?? [];
  return rules.flatMap((r, i) => {
    if (r.Status !== 'Enabled' || r.ExpirationInDays === undefined) return [];
    const filter = r.Filter as { Prefix?: unknown } | undefined;
    const prefix = text(r.Prefix) ?? text(filter?.Prefix) ?? '';
    return [{ id: text(r.Id) ?? `rule-${i + 1}`, prefix, days: Number(r.ExpirationInDays) }];
  });
}
