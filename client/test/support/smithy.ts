import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from '../../src/index.js';
import type { Received } from './api-server.js';

/**
 * The Authorization header @smithy/signature-v4 (the AWS SDK's signer) computes
 * for the request the server received, from its method, wire path, body, host
 * and x-amz-date, with the given credentials: an independent second opinion.
 */
export async function smithyAuthorization(
  received: Received,
  credentials: AwsCredentials,
  region: string,
  url: string,
): Promise<string> {
  const signer = new SignatureV4({ service: 'execute-api', region, credentials, sha256: Sha256, applyChecksum: false });
  const amzDate = String(received.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const wire = new URL(received.url, url);
  const signed = await signer.sign(
    {
      method: received.method,
      protocol: wire.protocol,
      hostname: wire.hostname,
      port: Number(wire.port),
      path: wire.pathname,
      query: Object.fromEntries(wire.searchParams),
      headers: {
        host: wire.host,
        'x-amz-date': amzDate,
        ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
        ...(received.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(received.body ? { body: received.body } : {}),
    },
    // aws4fetch leaves content-type out of the signature, as SigV4 allows; the AWS SDK signs it.
    { signingDate, unsignableHeaders: new Set(['content-type']) },
  );
  return String(signed.headers.authorization);
}
