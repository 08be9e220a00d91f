import { describe, expect, it } from 'vitest';
import type { $ZodType } from 'zod/v4/core';
import { SchemaComponents } from '../../../lambda/api/openapi-components.js';
import * as z from '../../../lambda/shared/zod.js';

/** A recursive type whose nodes carry `label`: a tree of folders, say. */
function tree(label: string): $ZodType {
  const node: $ZodType = z.object({
    [label]: z.string(),
    get children() {
      return z.array(node);
    },
  });
  return node;
}

describe('SchemaComponents', () => {
  it('moves a JSON value out of $defs into a component named JsonValue', () => {
    // Prepare
    const components = new SchemaComponents();
    // Act
    const schema = components.fromZod(z.object({ body: z.json() }), 'Hook');
    // Assess
    expect(schema).toEqual({
      type: 'object',
      properties: { body: { $ref: '#/components/schemas/JsonValue' } },
      required: ['body'],
    });
    const value = components.toObject().JsonValue as { anyOf: unknown[] };
    expect(value.anyOf).toContainEqual({ type: 'array', items: { $ref: '#/components/schemas/JsonValue' } });
    expect(JSON.stringify(components.toObject())).not.toContain('$defs');
  });

  it('names any other extracted type after its owner and the property that first refers to it', () => {
    // Prepare
    const components = new SchemaComponents();
    // Act
    const schema = components.fromZod(z.object({ root: tree('name') }), 'Folders');
    // Assess
    expect(schema).toMatchObject({ properties: { root: { $ref: '#/components/schemas/Folders_root' } } });
    expect(components.toObject().Folders_root).toMatchObject({
      properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Folders_root' } } },
    });
  });

  it('shares one component between schemas that extract the same type', () => {
    // Prepare
    const components = new SchemaComponents();
    // Act
    components.fromZod(z.object({ body: z.json() }), 'A');
    components.fromZod(z.object({ other: z.json(), more: z.json() }), 'B');
    // Assess
    expect(Object.keys(components.toObject())).toEqual(['JsonValue']);
  });

  it('numbers a second, different type that would take the same name', () => {
    // Prepare
    const components = new SchemaComponents();
    // Act
    components.fromZod(z.object({ root: tree('name') }), 'Folders');
    const second = components.fromZod(z.object({ root: tree('title') }), 'Folders');
    // Assess
    expect(second).toMatchObject({ properties: { root: { $ref: '#/components/schemas/Folders_root_2' } } });
    expect(Object.keys(components.toObject())).toEqual(['Folders_root', 'Folders_root_2']);
  });

  it('refuses a schema that refers to itself at its root, which no document position could hold', () => {
    // Prepare
    const components = new SchemaComponents();
    // Act
    const convert = () => components.fromZod(tree('name'), 'Tree');
    // Assess
    expect(convert).toThrow(/The schema of Tree refers to itself at its root/);
  });

  it('refuses a second component under a name already given', () => {
    // Prepare
    const components = new SchemaComponents();
    components.add('Job', { type: 'object' });
    // Act
    const again = () => components.add('Job', { type: 'string' });
    // Assess
    expect(again).toThrow(/The component schema Job is defined twice/);
  });
});
