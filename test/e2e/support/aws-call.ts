import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../../local/core/local-aws.js';

/**
 * Calls an AWS service on the emulator that the project has no SDK client for
 * (CloudWatch Logs, SNS's query API), SigV4-signed for `service` with the
 * throwaway credentials. Calls of the job API go through `@queue-workers/client`.
 */
export async function awsCall(
  endpoint: string,
  service: string,
  request: { readonly headers: Readonly<Record<string, string>>; readonly body: string },
): Promise<{ readonly status: number; readonly body: string }> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service, region: LOCAL_REGION, credentials: THROWAWAY_CREDENTIALS, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: { host: url.host, ...request.headers },
    body: request.body,
  });
  // fetch sets the host header itself.
  const { host: _host, ...headers } = signed.headers as Record<string, string>;
  const res = await fetch(url, { method: 'POST', headers, body: request.body, signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: await res.text() };
}

/** Calls an AWS JSON-protocol API (`X-Amz-Target`), e.g. CloudWatch Logs' FilterLogEvents. */
export async function awsJsonCall<T>(
  endpoint: string,
  service: string,
  target: string,
  input: unknown,
  jsonVersion = '1.1',
): Promise<T> {
  const res = await awsCall(endpoint, service, {
    headers: { 'content-type': `application/x-amz-json-${jsonVersion}`, 'x-amz-target': target },
    body: JSON.stringify(input),
  });
  if (res.status !== 200) throw new Error(`${target} answered ${res.status}: ${res.body}`);
  return JSON.parse(res.body) as T;
}
