/**
 * S3's checks of a presigned URL (query-string SigV4), which fauxqs does not
 * make: a known key, not expired, and a signature over this very method, path,
 * query and signed headers. Pure: the S3 front feeds it the raw request.
 */
import {
  hmacHex,
  type KnownCredential,
  parseAmzDate,
  parseCredential,
  type S3Refusal,
  sameSignature,
  secretOf,
  sha256Hex,
  signingKey,
  uriEncode,
} from './sigv4.js';

/** A request as it came in: the path and query exactly as sent, and its headers. */
export interface RawRequest {
  readonly method: string;
  /** The path, still percent-encoded, as the client sent it. */
  readonly path: string;
  /** The query string without `?`, still percent-encoded. */
  readonly query: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** SigV4's longest presigned lifetime: seven days. */
const MAX_EXPIRES_SECONDS = 604_800;

/** The query's parameters, decoded without URLSearchParams' `+`-as-space rule, which SigV4 does not follow. */
function parseQuery(query: string): [string, string][] {
  if (!query) return [];
  return query.split('&').map((pair) => {
    const i = pair.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    };
    return i === -1 ? [decode(pair), ''] : [decode(pair.slice(0, i)), decode(pair.slice(i + 1))];
  });
}

/** True when the request carries a query-string signature, which {@link checkPresigned} then checks. */
export function isPresigned(query: string): boolean {
  return parseQuery(query).some(([name]) => name === 'X-Amz-Signature');
}

const denied = (message: string): S3Refusal => ({ status: 403, code: 'AccessDenied', message });

/** SigV4's canonical request of a presigned S3 request: S3 signs the path as sent, not encoded again. */
function canonicalRequest(request: RawRequest, params: [string, string][], signedHeaders: string): string {
  const query = params
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = signedHeaders
    .split(';')
    .map((name) => {
      const value = request.headers[name];
      const text = Array.isArray(value) ? value.join(',') : (value ?? '');
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
  const payload = params.find(([name]) => name === 'X-Amz-Content-Sha256')?.[1] ?? 'UNSIGNED-PAYLOAD';
  return [request.method.toUpperCase(), request.path, query, headers, signedHeaders, payload].join('\n');
}

/**
 * What S3 would refuse about a presigned request: a malformed or unknown
 * credential, an expired URL, or a signature that does not match (a URL whose
 * path, query or host was altered). `undefined` when it would serve it.
 */
export function checkPresigned(
  request: RawRequest,
  options: { readonly credentials: readonly KnownCredential[]; readonly now: Date },
): S3Refusal | undefined {
  const params = parseQuery(request.query);
  const get = (name: string) => params.find(([n]) => n === name)?.[1];
  const scope = parseCredential(get('X-Amz-Credential'));
  const signedAt = parseAmzDate(get('X-Amz-Date'));
  const expires = Number(get('X-Amz-Expires'));
  const signedHeaders = get('X-Amz-SignedHeaders') ?? '';
  if (get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !scope || !signedAt || !signedHeaders) {
    return denied(
      'Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature parameters.',
    );
  }
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
    return denied('X-Amz-Expires must be between 1 and 604800 seconds.');
  }
  if (options.now.getTime() > signedAt.getTime() + expires * 1000) return denied('Request has expired');
  const secret = secretOf(options.credentials, scope.accessKeyId);
  if (typeof secret !== 'string') return secret;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    get('X-Amz-Date'),
    `${scope.date}/${scope.region}/${scope.service}/aws4_request`,
    sha256Hex(canonicalRequest(request, params, signedHeaders)),
  ].join('\n');
  if (sameSignature(hmacHex(signingKey(secret, scope), stringToSign), get('X-Amz-Signature') ?? '')) return undefined;
  return {
    status: 403,
    code: 'SignatureDoesNotMatch',
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  };
}
