import { createHash } from 'node:crypto';

/**
 * A job id derived from a name, shaped as a UUID (version 8: custom), so the
 * same name always names the same job and a second create of it is refused by
 * the store's conditional write. `namespace` keeps the kinds of name apart: an
 * idempotency key can never name a completion callback's delivery.
 */
export function hashedJobId(namespace: string, name: string): string {
  const h = createHash('sha256').update(`queue-workers:${namespace}:${name}`).digest('hex');
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
