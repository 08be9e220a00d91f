/**
 * CloudFormation intrinsic functions, resolved against the local resources, so a
 * function's environment (`{ Ref: Queue }`, `Fn::GetAtt`, `Fn::Join`, ...) becomes
 * the local queue URL, table name or ARN the deployed stack would have given it.
 */

import type { CfnTemplate } from './cfn.js';

/** What a `Ref` and each `Fn::GetAtt` of one resource resolve to locally. */
export interface LocalIdentity {
  readonly ref: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** False for resource types the runtime does not emulate; their names and ARNs are placeholders. */
  readonly emulated: boolean;
}

/** An intrinsic the runtime cannot resolve, with where it came from. */
export class IntrinsicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrinsicError';
  }
}

/** Resolves intrinsics; `identities` maps logical ids to their local names and attributes. */
export class IntrinsicResolver {
  /** Logical ids of non-emulated resources that a resolved value referred to. */
  readonly placeholders = new Set<string>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly identities: ReadonlyMap<string, LocalIdentity>,
    private readonly pseudo: Readonly<Record<string, string>>,
  ) {}

  /** The value with every intrinsic replaced. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [only] = entries;
    if (entries.length === 1 && only) {
      const [key, arg] = only;
      switch (key) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::GetAtt':
          return this.getAtt(arg);
        case 'Fn::Join': {
          const [sep, list] = arg as [string, unknown];
          return (this.resolve(list) as unknown[]).map((v) => String(v)).join(sep);
        }
        case 'Fn::Sub':
          return this.sub(arg);
        case 'Fn::Select': {
          const [index, list] = arg as [unknown, unknown];
          return (this.resolve(list) as unknown[])[Number(this.resolve(index))];
        }
        case 'Fn::Split': {
          const [sep, source] = arg as [string, unknown];
          return String(this.resolve(source)).split(sep);
        }
        case 'Fn::Base64':
          return Buffer.from(String(this.resolve(arg))).toString('base64');
        case 'Fn::ImportValue':
        case 'Fn::If':
        case 'Fn::FindInMap':
        case 'Fn::GetAZs':
        case 'Fn::Cidr':
          throw new IntrinsicError(`${key} is not supported by the local runtime.`);
      }
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  /** The value of `Ref: name`. */
  ref(name: string): string {
    const pseudo = this.pseudo[name];
    if (pseudo !== undefined) return pseudo;
    const id = this.identities.get(name);
    if (id) {
      if (!id.emulated) this.placeholders.add(name);
      return id.ref;
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) return String(parameter.Default ?? '');
    throw new IntrinsicError(`Ref to "${name}", which the template does not declare.`);
  }

  private getAtt(arg: unknown): string {
    const [name, attribute] = typeof arg === 'string' ? splitOnce(arg) : (arg as [string, string]);
    const id = this.identities.get(name);
    if (!id) throw new IntrinsicError(`Fn::GetAtt of "${name}", which the template does not declare.`);
    if (!id.emulated) this.placeholders.add(name);
    const value = id.attributes[attribute];
    if (value === undefined) {
      throw new IntrinsicError(`Fn::GetAtt ${name}.${attribute} is not known to the local runtime.`);
    }
    return value;
  }

  private sub(arg: unknown): string {
    const [text, vars] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
    return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, expr: string) => {
      if (expr in vars) return String(this.resolve(vars[expr]));
      return expr.includes('.') ? this.getAtt(expr) : this.ref(expr);
    });
  }
}

function splitOnce(s: string): [string, string] {
  const i = s.indexOf('.');
  return [s.slice(0, i), s.slice(i + 1)];
}
