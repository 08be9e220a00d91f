import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SecretDef } from '../plan.js';
import { generateSecretString } from './generate.js';

/** A secret's current value, as GetSecretValue answers it. */
/** The state directory's file of generated secret values. */
export const SECRETS_FILE = 'secrets.json';

export interface SecretValue {
  readonly arn: string;
  readonly name: string;
  readonly value: string;
  readonly versionId: string;
  /** Epoch seconds. */
  readonly createdDate: number;
}

/** What a generated secret keeps in the state file: its value, and the GenerateSecretString it came from. */
interface Kept {
  readonly value: string;
  readonly spec: string;
  readonly createdAt: string;
}

/**
 * The secrets of the plan with their values. Generated values are kept in a
 * file of the state directory (with or without --persist), so a secret that a
 * developer configured elsewhere (a webhook receiver) stays the same across
 * restarts; it is generated again only when its GenerateSecretString changes,
 * as a deploy would. The file is readable by its owner only.
 */
export class SecretStore {
  private secrets = new Map<string, SecretValue>();
  private memory: Record<string, Kept> = {};

  /** @param file - where generated values are kept; without one, they last as long as the process. */
  constructor(private readonly file?: string) {}

  /**
   * Takes the plan's secrets; returns the ones whose value was generated now
   * (a new secret, or a changed GenerateSecretString), to print once.
   */
  apply(defs: readonly SecretDef[], now: Date = new Date()): SecretValue[] {
    const kept = this.read();
    const fresh: SecretValue[] = [];
    const secrets = new Map<string, SecretValue>();
    for (const def of defs) {
      let secret: SecretValue;
      if (def.secretString !== undefined) {
        secret = secretValue(def, def.secretString, now);
      } else {
        const spec = JSON.stringify(def.generate ?? {});
        const previous = kept[def.name];
        if (previous?.spec === spec) {
          secret = secretValue(def, previous.value, new Date(previous.createdAt));
        } else {
          const value = generateSecretString(def.generate ?? {});
          kept[def.name] = { value, spec, createdAt: now.toISOString() };
          secret = secretValue(def, value, now);
          fresh.push(secret);
        }
      }
      secrets.set(def.arn, secret);
      secrets.set(def.name, secret);
    }
    if (fresh.length) this.write(kept);
    this.secrets = secrets;
    return fresh;
  }

  /** The secret a GetSecretValue `SecretId` names: its ARN or its name. */
  get(secretId: string): SecretValue | undefined {
    return this.secrets.get(secretId);
  }

  private read(): Record<string, Kept> {
    if (!this.file) return this.memory;
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, Kept>;
    } catch {
      return {};
    }
  }

  private write(kept: Record<string, Kept>): void {
    this.memory = kept;
    if (!this.file) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileSync(this.file, `${JSON.stringify(kept, null, 2)}\n`, { mode: 0o600 });
  }
}

function secretValue(def: SecretDef, value: string, created: Date): SecretValue {
  const h = createHash('sha256').update(`${def.arn}\n${value}`).digest('hex');
  const versionId = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return { arn: def.arn, name: def.name, value, versionId, createdDate: Math.floor(created.getTime() / 1000) };
}
