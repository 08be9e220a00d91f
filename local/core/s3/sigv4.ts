/**
 * The pieces of AWS Signature Version 4 that checking a presigned S3 request
 * needs: the signing key, the credential scope, and S3's URI encoding.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** An access key the runtime knows, and its secret. */
export interface KnownCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Why S3 refuses a request: its status, its error code and message, as it answers them in XML. */
export interface S3Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** The parts of `X-Amz-Credential`: `<key>/<yyyymmdd>/<region>/<service>/aws4_request`. */
export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** The scope of an `X-Amz-Credential` value; undefined when it is not one. */
export function parseCredential(credential: string | undefined): CredentialScope | undefined {
  const parts = (credential ?? '').split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId = '', date = '', region = '', service = ''] = parts;
  if (!accessKeyId || !/^\d{8}$/.test(date) || !region || !service) return undefined;
  return { accessKeyId, date, region, service };
}

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The key SigV4 signs with, derived from the secret and the credential scope. */
export function signingKey(secret: string, scope: CredentialScope): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, scope.date), scope.region), scope.service), 'aws4_request');
}

/** The hex HMAC-SHA256 of `data` with `key`. */
export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** The hex SHA-256 of `data`. */
export function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** True when two hex signatures are equal, compared in constant time. */
export function sameSignature(a: string, b: string): boolean {
  const left = Buffer.from(a.toLowerCase());
  const right = Buffer.from(b.toLowerCase());
  return left.length === right.length && timingSafeEqual(left, right);
}

/** SigV4's URI encoding (RFC 3986): everything but unreserved characters, `~` included, as %XX. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `20261124T093000Z` as a Date; undefined when malformed. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

/** The secret of a known access key; a refusal as S3 words it for an unknown one. */
export function secretOf(known: readonly KnownCredential[], accessKeyId: string): string | S3Refusal {
  const found = known.find((c) => c.accessKeyId === accessKeyId);
  if (found) return found.secretAccessKey;
  return {
    status: 403,
    code: 'InvalidAccessKeyId',
    message: 'The AWS Access Key Id you provided does not exist in our records.',
  };
}
