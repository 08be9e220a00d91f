import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../../local/core/local-aws.js';

/** A parsed HTTP response. */
export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Options of {@link signedFetch}. */
export interface SignedFetchOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** @default 'execute-api' */
  readonly service?: string;
  /** @default LOCAL_REGION */
  readonly region?: string;
  /** @default THROWAWAY_CREDENTIALS */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Send no Authorization header at all. @default false */
  readonly unsigned?: boolean;
}

/**
 * Sends a SigV4-signed request, as an IAM-authorised API caller (or any AWS
 * client) would, and parses a JSON body when there is one.
 */
export async function signedFetch<T = unknown>(
  url: string,
  options: SignedFetchOptions = {},
): Promise<HttpResponse<T>> {
  const target = new URL(url);
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body);
  const headers: Record<string, string> = {
    host: target.host,
    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...options.headers,
  };
  const query: Record<string, string> = {};
  target.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  let sent = headers;
  if (!options.unsigned) {
    const signer = new SignatureV4({
      service: options.service ?? 'execute-api',
      region: options.region ?? LOCAL_REGION,
      credentials: options.credentials ?? THROWAWAY_CREDENTIALS,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: decodeURIComponent(target.pathname),
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    sent = signed.headers as Record<string, string>;
  }
  const { host: _host, ...fetchHeaders } = sent;
  const res = await fetch(target, {
    method,
    headers: fetchHeaders,
    ...(body !== undefined ? { body } : {}),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  else if (text.startsWith('{') || text.startsWith('[')) {
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON after all; keep the text.
    }
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

/**
 * Calls an AWS JSON-protocol API (`X-Amz-Target`) the project has no SDK client
 * for, e.g. CloudWatch Logs, signed with the throwaway credentials.
 */
export async function awsJsonCall<T>(
  endpoint: string,
  service: string,
  target: string,
  input: unknown,
  jsonVersion = '1.1',
): Promise<T> {
  const res = await signedFetch<T>(endpoint, {
    method: 'POST',
    service,
    body: JSON.stringify(input),
    headers: { 'content-type': `application/x-amz-json-${jsonVersion}`, 'x-amz-target': target },
  });
  if (res.status !== 200) throw new Error(`${target} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
