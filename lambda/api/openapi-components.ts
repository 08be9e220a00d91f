import type { $ZodType } from 'zod/v4/core';
import * as z from '../shared/zod.js';

/** A JSON Schema object (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

const COMPONENT_PREFIX = '#/components/schemas/';
const DEFS_PREFIX = '#/$defs/';

/** A `$ref` to the component schema `name`. */
export const componentRef = (name: string): { $ref: string } => ({ $ref: `${COMPONENT_PREFIX}${name}` });

/** The JSON Schema of a zod schema as a client sends it (its input side), without `$schema`. */
function convert(schema: $ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  return rest;
}

const encodePointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const decodePointer = (segment: string) => segment.replace(/~1/g, '/').replace(/~0/g, '~');
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * A def with its reference to itself made anonymous, so the same recursive
 * type converted twice (its `$defs` key is a counter) has the same shape.
 */
function shapeOf(def: unknown, id: string): string {
  const self = `${DEFS_PREFIX}${encodePointer(id)}`;
  return JSON.stringify(def, (key, value) => (key === '$ref' && value === self ? '#' : value));
}

/** Replaces every `$ref` into `$defs` by one into the components, under the names chosen. */
function rewriteRefs(node: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(node)) return node.map((child) => rewriteRefs(child, names));
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(DEFS_PREFIX)) {
        const name = names.get(decodePointer(value.slice(DEFS_PREFIX.length)));
        if (!name) throw new Error(`A JSON Schema refers to ${value}, which it does not define.`);
        return [key, `${COMPONENT_PREFIX}${name}`];
      }
      return [key, rewriteRefs(value, names)];
    }),
  );
}

/**
 * Shapes that get a name of their own wherever zod extracts them, for a
 * document that code generators turn into readable types.
 */
const KNOWN_SHAPES: ReadonlyMap<string, string> = (() => {
  const known: Record<string, $ZodType> = { JsonValue: z.json() };
  const shapes = new Map<string, string>();
  for (const [name, schema] of Object.entries(known)) {
    // Inside an object, a recursive type is extracted to `$defs` just as it is in a payload.
    const { $defs } = convert(z.object({ value: schema })) as { $defs?: Record<string, unknown> };
    for (const [id, def] of Object.entries($defs ?? {})) shapes.set(shapeOf(def, id), name);
  }
  return shapes;
})();

/**
 * The `components/schemas` of an OpenAPI document, filled from zod schemas.
 * zod's JSON Schema conversion puts the subschemas it must extract (recursive
 * ones, such as `z.json()`) into a `$defs` at the root of the converted schema.
 * Embedded in a document, `#/$defs/...` resolves against the document's root,
 * where there is no `$defs`: Schemathesis, code generators and Swagger UI all
 * stop there. So each def is hoisted into the components, and its refs rewritten.
 */
export class SchemaComponents {
  readonly #schemas = new Map<string, { readonly schema: JsonSchema; readonly shape?: string }>();

  /**
   * The JSON Schema of `schema`, with the defs it needs added as components. A
   * def is named by its shape where the shape is known (`JsonValue`), or else
   * `<owner>_<property>` after the property that first refers to it; a def
   * whose shape is already a component reuses it.
   * @param owner - where the schema goes, e.g. `Submit_webhook_deliver_payload`; names its defs.
   */
  fromZod(schema: $ZodType, owner: string): JsonSchema {
    const { $defs, ...root } = convert(schema) as JsonSchema & { $defs?: Record<string, JsonSchema> };
    if (JSON.stringify(root).includes('"$ref":"#"')) {
      throw new Error(`The schema of ${owner} refers to itself at its root; give that recursive type a property.`);
    }
    const defs = Object.entries($defs ?? {});
    const names = new Map<string, string>();
    for (const [id, def] of defs) {
      const shape = shapeOf(def, id);
      names.set(id, this.#nameFor(shape, KNOWN_SHAPES.get(shape) ?? `${owner}_${firstUse(id, root, defs)}`));
    }
    for (const [id, def] of defs) {
      const name = names.get(id) as string;
      if (!this.#schemas.has(name)) {
        this.#schemas.set(name, { schema: rewriteRefs(def, names) as JsonSchema, shape: shapeOf(def, id) });
      }
    }
    return rewriteRefs(root, names) as JsonSchema;
  }

  /**
   * Adds a component under a fixed name.
   * @throws Error when the name is taken, since a `$ref` to it would then mean two things.
   */
  add(name: string, schema: JsonSchema): void {
    if (this.#schemas.has(name)) throw new Error(`The component schema ${name} is defined twice.`);
    this.#schemas.set(name, { schema });
  }

  /** The components, by name, in the order they were added. */
  toObject(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.#schemas].map(([name, { schema }]) => [name, schema]));
  }

  /** `preferred`, or the same with a numbered suffix when another shape holds it already. */
  #nameFor(shape: string, preferred: string): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? preferred : `${preferred}_${n}`;
      const taken = this.#schemas.get(name);
      if (!taken || taken.shape === shape) return name;
    }
  }
}

/** The property under which def `id` is first referred to, for its name; `id` itself when no property is. */
function firstUse(id: string, root: JsonSchema, defs: readonly [string, JsonSchema][]): string {
  const ref = `${DEFS_PREFIX}${encodePointer(id)}`;
  const property = [root, ...defs.map(([, def]) => def)].reduce<string | undefined>(
    (found, node) => found ?? propertyReferring(ref, node, undefined),
    undefined,
  );
  return (property ?? id).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^_+/, '');
}

/** The name of the innermost property around the first `$ref` to `ref` in `node`. */
function propertyReferring(ref: string, node: unknown, property: string | undefined): string | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = propertyReferring(ref, child, property);
      if (found) return found;
    }
    return undefined;
  }
  if (!isObject(node)) return undefined;
  if (node.$ref === ref) return property;
  for (const [key, value] of Object.entries(node)) {
    const found =
      key === 'properties' && isObject(value)
        ? Object.entries(value).reduce<string | undefined>(
            (hit, [name, sub]) => hit ?? propertyReferring(ref, sub, name),
            undefined,
          )
        : propertyReferring(ref, value, property);
    if (found) return found;
  }
  return undefined;
}
