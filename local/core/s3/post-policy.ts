/**
 * S3's browser-based upload (POST Object) checks, which fauxqs does not make:
 * the form's policy is signed with a key the runtime handed out, it has not
 * expired, every field is allowed by a condition, and the file's size is in
 * its `content-length-range`. Pure: the S3 front (`s3-front.ts`) feeds it the
 * request's body and answers what it refuses in S3's own words.
 */
import {
  hmacHex,
  type KnownCredential,
  parseCredential,
  type S3Refusal,
  sameSignature,
  secretOf,
  signingKey,
} from './sigv4.js';

/** The fields of a POST Object form, and its file. */
export interface PostForm {
  /** Each field before the file, by its name in lower case (S3 matches names without case). */
  readonly fields: ReadonlyMap<string, string>;
  /** The `file` field: the object's bytes. */
  readonly file?: { readonly size: number };
}

/** Fields that need no condition: the signature, the policy itself, the file, and `x-ignore-` ones. */
const UNCONDITIONED = new Set(['policy', 'x-amz-signature', 'file']);

/** A policy document, as S3 reads it. */
interface Policy {
  readonly expiration?: unknown;
  readonly conditions?: unknown;
}

const refused = (message: string): S3Refusal => ({
  status: 403,
  code: 'AccessDenied',
  message: `Invalid according to Policy: ${message}`,
});

/**
 * The fields and the file of a multipart/form-data body. S3 reads fields up to
 * the one named `file` and ignores what follows it.
 */
export function parsePostForm(body: Buffer, contentType: string): PostForm | S3Refusal {
  const boundary = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker)
    return {
      status: 400,
      code: 'MalformedPOSTRequest',
      message: 'The body of your POST request is not well-formed multipart/form-data.',
    };
  const delimiter = Buffer.from(`--${marker}`);
  const fields = new Map<string, string>();
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    const next = body.indexOf(delimiter, start);
    if (next === -1) break;
    const headerEnd = body.indexOf('\r\n\r\n', start);
    if (headerEnd !== -1 && headerEnd < next) {
      const headers = body.subarray(start, headerEnd).toString('utf8');
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      // The value ends before the CRLF that precedes the next delimiter.
      const value = body.subarray(headerEnd + 4, next - 2);
      if (name?.toLowerCase() === 'file') return { fields, file: { size: value.length } };
      if (name) fields.set(name.toLowerCase(), value.toString('utf8'));
    }
    at = next;
  }
  return { fields };
}

/** The policy document of a form, decoded; a refusal when it is not one. */
function decodePolicy(encoded: string): Policy | S3Refusal {
  try {
    const policy = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Policy;
    if (typeof policy !== 'object' || policy === null) throw new Error('not an object');
    return policy;
  } catch {
    return { status: 400, code: 'InvalidPolicyDocument', message: 'Invalid Policy: Invalid JSON.' };
  }
}

/** The form's signature checked against the policy, with the secret of the key it names. */
function checkSignature(form: PostForm, known: readonly KnownCredential[]): S3Refusal | undefined {
  const scope = parseCredential(form.fields.get('x-amz-credential'));
  if (form.fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256' || !scope) {
    return {
      status: 400,
      code: 'InvalidArgument',
      message: 'POST requires X-Amz-Algorithm AWS4-HMAC-SHA256 and a valid X-Amz-Credential.',
    };
  }
  const secret = secretOf(known, scope.accessKeyId);
  if (typeof secret !== 'string') return secret;
  const expected = hmacHex(signingKey(secret, scope), form.fields.get('policy') ?? '');
  if (sameSignature(expected, form.fields.get('x-amz-signature') ?? '')) return undefined;
  return {
    status: 403,
    code: 'SignatureDoesNotMatch',
    message:
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  };
}

/** The value a condition's `$field` stands for: the bucket of the URL, or the form's field. */
function fieldValue(form: PostForm, field: string, bucket: string): string | undefined {
  const name = field.replace(/^\$/, '').toLowerCase();
  return name === 'bucket' ? bucket : form.fields.get(name);
}

/** The first condition the form breaks, with the fields it covered; a refusal for a malformed one. */
function checkCondition(
  form: PostForm,
  condition: unknown,
  bucket: string,
  covered: Set<string>,
): S3Refusal | undefined {
  const show = JSON.stringify(condition);
  if (Array.isArray(condition)) {
    const [op, field, value] = condition as unknown[];
    if (op === 'content-length-range') return checkLength(form, Number(field), Number(value));
    if ((op !== 'eq' && op !== 'starts-with') || typeof field !== 'string' || typeof value !== 'string') {
      return { status: 400, code: 'InvalidPolicyDocument', message: `Invalid Policy: Invalid Condition: ${show}` };
    }
    covered.add(field.replace(/^\$/, '').toLowerCase());
    const actual = fieldValue(form, field, bucket) ?? '';
    const holds = op === 'eq' ? actual === value : actual.startsWith(value);
    return holds ? undefined : refused(`Policy Condition failed: ${show}`);
  }
  if (typeof condition === 'object' && condition !== null) {
    for (const [field, value] of Object.entries(condition)) {
      covered.add(field.toLowerCase());
      if (fieldValue(form, field, bucket) !== String(value)) return refused(`Policy Condition failed: ${show}`);
    }
    return undefined;
  }
  return { status: 400, code: 'InvalidPolicyDocument', message: `Invalid Policy: Invalid Condition: ${show}` };
}

/** The file's size against a `content-length-range`, refused as S3 refuses it (a 400). */
function checkLength(form: PostForm, min: number, max: number): S3Refusal | undefined {
  const size = form.file?.size ?? 0;
  if (size > max)
    return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' };
  if (size < min)
    return {
      status: 400,
      code: 'EntityTooSmall',
      message: 'Your proposed upload is smaller than the minimum allowed size',
    };
  return undefined;
}

/**
 * What S3 would refuse about a POST Object form to `bucket`, in the order it
 * checks: a signed policy, by a known key, not expired, every condition met,
 * no field without a condition. `undefined` when it would store the file.
 */
export function checkPostPolicy(
  form: PostForm,
  options: { readonly bucket: string; readonly credentials: readonly KnownCredential[]; readonly now: Date },
): S3Refusal | undefined {
  const encoded = form.fields.get('policy');
  if (!encoded) return { status: 403, code: 'AccessDenied', message: 'Access Denied' };
  const badSignature = checkSignature(form, options.credentials);
  if (badSignature) return badSignature;
  const policy = decodePolicy(encoded);
  if ('status' in policy) return policy;
  const expiration = Date.parse(String(policy.expiration));
  if (Number.isNaN(expiration))
    return { status: 400, code: 'InvalidPolicyDocument', message: 'Invalid Policy: Invalid expiration.' };
  if (expiration < options.now.getTime()) return refused('Policy expired.');
  const conditions = Array.isArray(policy.conditions) ? policy.conditions : [];
  const covered = new Set<string>();
  for (const condition of conditions) {
    const broken = checkCondition(form, condition, options.bucket, covered);
    if (broken) return broken;
  }
  const extra = [...form.fields.keys()].filter(
    (name) => !UNCONDITIONED.has(name) && !name.startsWith('x-ignore-') && !covered.has(name),
  );
  return extra.length ? refused(`Extra input fields: ${extra.join(', ')}`) : undefined;
}
