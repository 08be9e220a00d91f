/**
 * DynamoDB's capacity arithmetic, as its developer guide states it, for
 * metering what an app's calls would cost: item sizes, read and write request
 * units, and the writes a global secondary index adds.
 */

/** An attribute value in DynamoDB's wire shape: `{ "S": "..." }`, `{ "N": "1" }`, `{ "M": {...} }`... */
export type WireValue = Readonly<Record<string, unknown>>;
/** An item in DynamoDB's wire shape. */
export type WireItem = Readonly<Record<string, WireValue>>;

/** A global secondary index, as CreateTable declares it. */
export interface IndexShape {
  readonly name: string;
  /** The index's key attributes: partition key, then sort key if any. */
  readonly keys: readonly string[];
  readonly projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** Attributes an INCLUDE projection adds. */
  readonly include: readonly string[];
}

/** A table's key and indexes, as CreateTable declares them. */
export interface TableShape {
  readonly name: string;
  readonly keys: readonly string[];
  readonly indexes: readonly IndexShape[];
}

/** Write request units a write consumed on the table and on its indexes. */
export interface WriteUnits {
  readonly table: number;
  readonly indexes: number;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Size of one attribute value in bytes: strings in UTF-8, binary as decoded,
 * numbers one byte per two significant digits plus one, booleans and null one
 * byte, lists and maps 3 bytes plus one byte per element, sets their members.
 */
export function valueSize(value: WireValue): number {
  const [type, v] = Object.entries(value)[0] ?? ['NULL', true];
  switch (type) {
    case 'S':
      return utf8(v as string);
    case 'N':
      return numberSize(v as string);
    case 'B':
      return Buffer.from(v as string, 'base64').length;
    case 'SS':
      return (v as string[]).reduce((sum, s) => sum + utf8(s), 0);
    case 'NS':
      return (v as string[]).reduce((sum, n) => sum + numberSize(n), 0);
    case 'BS':
      return (v as string[]).reduce((sum, b) => sum + Buffer.from(b, 'base64').length, 0);
    case 'L':
      return 3 + (v as WireValue[]).reduce((sum, e) => sum + 1 + valueSize(e), 0);
    case 'M':
      return 3 + Object.entries(v as WireItem).reduce((sum, [k, e]) => sum + 1 + utf8(k) + valueSize(e), 0);
    default:
      return 1;
  }
}

function numberSize(n: string): number {
  const digits = n.replace(/^[-+]/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

/** Size of an item in bytes: each attribute's name in UTF-8 plus its value. */
export function itemSize(item: WireItem): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueSize(value), 0);
}

/** Read request units for `bytes` read at once: one per 4 KB, half for an eventually consistent read. */
export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/** Write request units for an item of `bytes`: one per 1 KB, at least one. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

/**
 * What one PutItem, UpdateItem or DeleteItem consumed, from the item before and
 * after it: the table is charged for the larger of the two; a failed condition
 * still costs the existing item's size; and each index is written where the
 * item enters it, leaves it (one write), moves within it (a delete and a put:
 * two), or changes an attribute it projects (one).
 */
export function writeCost(
  table: TableShape,
  before: WireItem | undefined,
  after: WireItem | undefined,
  conditionFailed: boolean,
): WriteUnits {
  const size = (item: WireItem | undefined) => (item ? itemSize(item) : 0);
  if (conditionFailed) return { table: writeUnits(size(before)), indexes: 0 };
  const indexes = table.indexes.reduce((sum, index) => sum + indexWrites(table, index, before, after), 0);
  return { table: writeUnits(Math.max(size(before), size(after))), indexes };
}

function indexWrites(
  table: TableShape,
  index: IndexShape,
  before: WireItem | undefined,
  after: WireItem | undefined,
): number {
  const inIndex = (item: WireItem | undefined): item is WireItem =>
    item !== undefined && index.keys.every((k) => item[k] !== undefined);
  const was = inIndex(before);
  const is = inIndex(after);
  if (!was && !is) return 0;
  const entryUnits = (item: WireItem) => writeUnits(itemSize(projected(table, index, item)));
  if (!was) return entryUnits(after as WireItem);
  if (!is) return entryUnits(before);
  const keyMoved = index.keys.some((k) => !sameValue(before[k], after[k]));
  if (keyMoved) return entryUnits(before) + entryUnits(after);
  const entryBefore = projected(table, index, before);
  const entryAfter = projected(table, index, after);
  return sameItem(entryBefore, entryAfter) ? 0 : entryUnits(after);
}

/** The index entry of an item: the table's and the index's keys, and what the index projects. */
function projected(table: TableShape, index: IndexShape, item: WireItem): WireItem {
  if (index.projection === 'ALL') return item;
  const names = new Set([...table.keys, ...index.keys, ...(index.projection === 'INCLUDE' ? index.include : [])]);
  return Object.fromEntries(Object.entries(item).filter(([name]) => names.has(name)));
}

function sameValue(a: WireValue | undefined, b: WireValue | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameItem(a: WireItem, b: WireItem): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => sameValue(a[k], b[k]));
}

/** A table's shape from its CreateTable input (the plan's `TableDef.create`). */
export function tableShape(create: Readonly<Record<string, unknown>>): TableShape {
  type KeyElement = { AttributeName: string };
  type Gsi = {
    IndexName: string;
    KeySchema: KeyElement[];
    Projection?: { ProjectionType?: IndexShape['projection']; NonKeyAttributes?: string[] };
  };
  const keys = ((create.KeySchema as KeyElement[] | undefined) ?? []).map((k) => k.AttributeName);
  const gsis = (create.GlobalSecondaryIndexes as Gsi[] | undefined) ?? [];
  return {
    name: String(create.TableName),
    keys,
    indexes: gsis.map((g) => ({
      name: g.IndexName,
      keys: g.KeySchema.map((k) => k.AttributeName),
      projection: g.Projection?.ProjectionType ?? 'ALL',
      include: g.Projection?.NonKeyAttributes ?? [],
    })),
  };
}
