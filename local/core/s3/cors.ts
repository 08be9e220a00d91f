/**
 * S3's CORS for browser requests to a bucket, which fauxqs does not answer:
 * the bucket's rules from the template, plus the runtime's own pages (its
 * dashboard uploads straight to the bucket, as an app's page would).
 */
import type { CorsRuleDef } from '../plan.js';

/** True when `origin` matches a rule's origin: exactly, `*`, or with one `*` standing for any run of characters. */
function originMatches(pattern: string, origin: string): boolean {
  if (pattern === '*' || pattern === origin) return true;
  const star = pattern.indexOf('*');
  if (star === -1) return false;
  const [head, tail] = [pattern.slice(0, star), pattern.slice(star + 1)];
  return origin.length >= head.length + tail.length && origin.startsWith(head) && origin.endsWith(tail);
}

const headerAllowed = (allowed: readonly string[], header: string) =>
  allowed.some((a) => originMatches(a.toLowerCase(), header.toLowerCase()));

/**
 * The CORS response headers for a request from `origin` with `method` (and,
 * for a preflight, the headers it asks for), from the first rule that allows
 * it; undefined when none does, and S3 then sends none.
 */
export function corsHeaders(
  rules: readonly CorsRuleDef[],
  origin: string,
  method: string,
  requestedHeaders: readonly string[] = [],
): Record<string, string> | undefined {
  const rule = rules.find(
    (r) =>
      r.allowedOrigins.some((o) => originMatches(o, origin)) &&
      r.allowedMethods.includes(method.toUpperCase()) &&
      requestedHeaders.every((h) => headerAllowed(r.allowedHeaders, h)),
  );
  if (!rule) return undefined;
  return {
    'access-control-allow-origin': rule.allowedOrigins.includes('*') ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(requestedHeaders.length ? { 'access-control-allow-headers': requestedHeaders.join(', ') } : {}),
    ...(rule.exposedHeaders.length ? { 'access-control-expose-headers': rule.exposedHeaders.join(', ') } : {}),
    ...(rule.maxAgeSeconds !== undefined ? { 'access-control-max-age': String(rule.maxAgeSeconds) } : {}),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/**
 * A rule that lets the runtime's own pages (its origin, under every loopback
 * name) call any local bucket: the dashboard uploads and shows thumbnails.
 */
export function trustedOriginRule(runtimeUrl: string): CorsRuleDef {
  const { protocol, port } = new URL(runtimeUrl);
  const hosts = ['127.0.0.1', 'localhost', '[::1]', new URL(runtimeUrl).hostname];
  return {
    allowedOrigins: [...new Set(hosts.map((h) => `${protocol}//${h}${port ? `:${port}` : ''}`))],
    allowedMethods: ['GET', 'HEAD', 'PUT', 'POST'],
    allowedHeaders: ['*'],
    exposedHeaders: ['ETag', 'Location'],
  };
}
