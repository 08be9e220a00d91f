import { AwsV4Signer } from 'aws4fetch';
import { CLIENT_ERROR_CODES, JobApiError } from './errors.js';

/** AWS credentials, as `@aws-sdk/credential-providers` and Cognito identity pools give them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When temporary credentials stop working; the client asks its provider again before then. */
  readonly expiration?: Date;
}

/**
 * Resolves credentials on demand: any provider of `@aws-sdk/credential-providers`
 * (`fromNodeProviderChain()`, `fromCognitoIdentityPool(...)`), or your own.
 */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** IAM auth: every request signed with SigV4 for `execute-api`. */
export interface IamAuth {
  /** A credentials provider (refreshed before `expiration`), or fixed credentials. */
  readonly iam: CredentialsProvider | AwsCredentials;
  /** The API's region, part of the signature. */
  readonly region: string;
}

/** API-key auth: the key sent as `x-api-key` (a stack deployed with `-c auth=apiKey`). */
export interface ApiKeyAuth {
  readonly apiKey: string;
}

/** How the client proves who calls: SigV4, an API key, or nothing (the local runtime, or `-c auth=none`). */
export type JobClientAuth = IamAuth | ApiKeyAuth | 'none';

/** A request as it will be sent, for auth to add its headers to. */
export interface UnsignedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Adds auth to a request: returns the headers to send. */
export type Authorizer = (request: UnsignedRequest) => Promise<Record<string, string>>;

/** Credentials are fetched again this long before they expire, as the AWS SDK does. */
export const CREDENTIALS_REFRESH_MS = 5 * 60_000;

/**
 * The credentials of `source`, fetched once and shared by concurrent calls,
 * then fetched again when they are within {@link CREDENTIALS_REFRESH_MS} of
 * their expiration. A failed fetch is not kept, so the next call tries again.
 */
export function cachedCredentials(
  source: CredentialsProvider | AwsCredentials,
  now: () => number = Date.now,
): () => Promise<AwsCredentials> {
  if (typeof source !== 'function') return () => Promise.resolve(source);
  let current: Promise<AwsCredentials> | undefined;
  let refreshAt = 0;
  return () => {
    if (current === undefined || now() >= refreshAt) {
      const fetching = source().then((credentials) => {
        refreshAt = credentials.expiration ? credentials.expiration.getTime() - CREDENTIALS_REFRESH_MS : Infinity;
        return credentials;
      });
      fetching.catch(() => {
        if (current === fetching) current = undefined;
      });
      current = fetching;
      // Callers arriving while the fetch runs share it.
      refreshAt = Infinity;
    }
    return current;
  };
}

function iamAuthorizer(auth: IamAuth): Authorizer {
  const credentials = cachedCredentials(auth.iam);
  // aws4fetch keeps derived signing keys here (one per secret, day, region and service).
  const signingKeys = new Map<string, ArrayBuffer>();
  return async (request) => {
    let identity: AwsCredentials;
    try {
      identity = await credentials();
    } catch (error) {
      throw new JobApiError(
        CLIENT_ERROR_CODES.CREDENTIALS_ERROR,
        `No AWS credentials to sign the request with: ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    }
    const signer = new AwsV4Signer({
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.body !== undefined ? { body: request.body } : {}),
      accessKeyId: identity.accessKeyId,
      secretAccessKey: identity.secretAccessKey,
      ...(identity.sessionToken ? { sessionToken: identity.sessionToken } : {}),
      service: 'execute-api',
      region: auth.region,
      cache: signingKeys,
    });
    const signed = await signer.sign();
    return Object.fromEntries(signed.headers);
  };
}

/** The {@link Authorizer} for `auth`. */
export function authorizer(auth: JobClientAuth): Authorizer {
  if (auth === 'none') return async (request) => ({ ...request.headers });
  if ('apiKey' in auth) return async (request) => ({ ...request.headers, 'x-api-key': auth.apiKey });
  return iamAuthorizer(auth);
}
