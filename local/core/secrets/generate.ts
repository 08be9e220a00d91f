import { randomInt } from 'node:crypto';
import type { GenerateSecretDef } from '../plan.js';

/** The character classes Secrets Manager draws passwords from. */
const CLASSES = {
  lowercase: 'abcdefghijklmnopqrstuvwxyz',
  uppercase: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  numbers: '0123456789',
  punctuation: '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
} as const;

/** A template's GenerateSecretString that cannot produce a value. */
export class GenerateSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateSecretError';
  }
}

/**
 * A value as Secrets Manager generates it for GenerateSecretString: a password
 * of `PasswordLength` characters (32 by default) from the classes and
 * characters not excluded, each drawn alone with a cryptographic generator;
 * with RequireEachIncludedType (the default), one of each included class at
 * least. With SecretStringTemplate, the password goes into that JSON object
 * under GenerateStringKey.
 */
export function generateSecretString(spec: GenerateSecretDef, draw: (max: number) => number = randomInt): string {
  const length = spec.PasswordLength ?? 32;
  if (!Number.isInteger(length) || length < 1 || length > 4096) {
    throw new GenerateSecretError(`PasswordLength is ${length}; it must be an integer from 1 to 4096.`);
  }
  const excluded = new Set(spec.ExcludeCharacters ?? '');
  const keep = (chars: string) => [...chars].filter((c) => !excluded.has(c)).join('');
  const classes = [
    spec.ExcludeLowercase ? '' : keep(CLASSES.lowercase),
    spec.ExcludeUppercase ? '' : keep(CLASSES.uppercase),
    spec.ExcludeNumbers ? '' : keep(CLASSES.numbers),
    spec.ExcludePunctuation ? '' : keep(CLASSES.punctuation),
  ].filter((c) => c.length > 0);
  const alphabet = classes.join('') + (spec.IncludeSpace ? ' ' : '');
  if (!alphabet) throw new GenerateSecretError('GenerateSecretString excludes every character.');
  const required = spec.RequireEachIncludedType ?? true;
  if (required && length < classes.length) {
    throw new GenerateSecretError(
      `PasswordLength ${length} cannot hold one character of each of ${classes.length} types.`,
    );
  }
  let password: string;
  do {
    password = Array.from({ length }, () => alphabet[draw(alphabet.length)]).join('');
  } while (required && !classes.every((c) => [...password].some((ch) => c.includes(ch))));
  return withTemplate(spec, password);
}

function withTemplate(spec: GenerateSecretDef, password: string): string {
  if (spec.SecretStringTemplate === undefined) return password;
  const key = spec.GenerateStringKey;
  if (!key) throw new GenerateSecretError('SecretStringTemplate needs GenerateStringKey, as Secrets Manager says.');
  let object: unknown;
  try {
    object = JSON.parse(spec.SecretStringTemplate);
  } catch {
    throw new GenerateSecretError('SecretStringTemplate is not JSON.');
  }
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new GenerateSecretError('SecretStringTemplate must be a JSON object.');
  }
  return JSON.stringify({ ...object, [key]: password });
}
