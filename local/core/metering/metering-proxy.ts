import { Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type TableShape, type WireItem, writeCost } from './dynamodb-units.js';
import { billedForMessages, type WireMessage } from './sqs-units.js';
import type { CallAmounts, MeteredService, UsageMeter } from './usage.js';

/** A call as the proxy passed it on, and the emulator's answer. */
interface Exchange {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Passes a request body on to the emulator, with the caller's headers. */
type Forward = (body: Buffer) => Promise<Exchange>;

/** What a service's metering makes of one call: the answer to send back, and what to count. */
interface Metered {
  readonly answer: Exchange;
  readonly operation: string;
  readonly amounts: CallAmounts;
}

/** A running metering proxy. */
export interface MeteringProxy {
  /** Where functions send their calls instead of the emulator. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Options of {@link startMeteringProxy}. */
export interface MeteringProxyOptions {
  readonly service: 'sqs' | 'dynamodb';
  /** The emulator's endpoint. */
  readonly target: string;
  readonly meter: UsageMeter;
  /** The tables, for DynamoDB's key and index arithmetic. */
  readonly tables: () => readonly TableShape[];
}

/**
 * A proxy in front of an emulator that counts every call a function makes, as
 * the service would bill it: SQS by 64 KB chunk, DynamoDB by read and write
 * request units (index writes and failed conditions included). Each call is
 * put down to the function that made it, which the SDK names in its user
 * agent (`app/<id>`, from AWS_SDK_UA_APP_ID, which the runtime sets to
 * {@link UsageMeter.appIdOf} when it meters).
 */
export async function startMeteringProxy(options: MeteringProxyOptions): Promise<MeteringProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true });
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const forward: Forward = (payload) => send(agent, target, req, payload);
      const operation = operationOf(req.headers, body);
      const metered =
        options.service === 'sqs'
          ? await meterSqs(operation, body, forward)
          : await meterDynamo(operation, body, forward, options.tables(), (payload) =>
              send(agent, target, req, payload, 'DynamoDB_20120810.GetItem'),
            );
      options.meter.call(
        callerOf(req.headers, options.meter),
        options.service as MeteredService,
        metered.operation,
        metered.amounts,
      );
      const { status, headers, body: answer } = metered.answer;
      const { 'transfer-encoding': _te, connection: _c, 'keep-alive': _ka, ...kept } = headers;
      res.writeHead(status, { ...kept, 'content-length': String(answer.length) });
      res.end(answer);
    })().catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}

/** The function that made a call, from the SDK's `app/<id>` user agent section; `unknown` without one. */
export function callerOf(headers: IncomingHttpHeaders, meter: UsageMeter): string {
  const agents = `${headers['x-amz-user-agent'] ?? ''} ${headers['user-agent'] ?? ''}`;
  const section = /(?:^|\s)app\/(\S+)/.exec(agents)?.[1];
  return (section && meter.callerOfAppId(section)) ?? 'unknown';
}

/** The action: from the JSON protocols' X-Amz-Target, or the query protocol's Action. */
function operationOf(headers: IncomingHttpHeaders, body: Buffer): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return target.slice(target.lastIndexOf('.') + 1);
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown';
}

/** True for the answers a service gives when it cannot serve a call: those are not billed. */
function isFault(answer: Exchange): boolean {
  if (answer.status >= 500) return true;
  return /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(answer.body.toString('utf8', 0, 300));
}

async function meterSqs(operation: string, body: Buffer, forward: Forward): Promise<Metered> {
  const answer = await forward(body);
  if (isFault(answer)) return { answer, operation, amounts: { fault: true } };
  const request = parse(body) as { Entries?: WireMessage[] } & WireMessage;
  if (operation === 'SendMessage')
    return { answer, operation, amounts: { billedRequests: billedForMessages([request]) } };
  if (operation === 'SendMessageBatch') {
    return { answer, operation, amounts: { billedRequests: billedForMessages(request.Entries ?? []) } };
  }
  if (operation === 'ReceiveMessage') {
    const messages = (parse(answer.body) as { Messages?: WireMessage[] }).Messages ?? [];
    // An empty receive is billed too; it is counted apart because its number depends on time, not on work.
    if (!messages.length) return { answer, operation: 'ReceiveMessage (empty)', amounts: {} };
    return { answer, operation, amounts: { billedRequests: billedForMessages(messages) } };
  }
  return { answer, operation, amounts: {} };
}

const READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan']);
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);

async function meterDynamo(
  operation: string,
  body: Buffer,
  forward: Forward,
  tables: readonly TableShape[],
  getItem: Forward,
): Promise<Metered> {
  if (READS.has(operation)) return meterRead(operation, body, forward);
  if (WRITES.has(operation) || operation === 'BatchWriteItem') {
    const writes = writesOf(operation, parse(body), tables);
    const image = async (w: ItemWrite) => {
      const got = await getItem(
        Buffer.from(JSON.stringify({ TableName: w.table.name, Key: w.key, ConsistentRead: true })),
      );
      return (parse(got.body) as { Item?: WireItem }).Item;
    };
    const before = await Promise.all(writes.map(image));
    const answer = await forward(body);
    if (isFault(answer)) return { answer, operation, amounts: { fault: true } };
    const conditionFailed = answer.status === 400 && answer.body.includes('ConditionalCheckFailed');
    if (answer.status !== 200 && !conditionFailed) return { answer, operation, amounts: {} };
    const after = conditionFailed ? before : await Promise.all(writes.map(image));
    let writeUnits = 0;
    let indexWriteUnits = 0;
    writes.forEach((w, i) => {
      const cost = writeCost(w.table, before[i], after[i], conditionFailed);
      writeUnits += cost.table;
      indexWriteUnits += cost.indexes;
    });
    return { answer, operation, amounts: { writeUnits, indexWriteUnits } };
  }
  return { answer: await forward(body), operation, amounts: {} };
}

/**
 * A read, with ReturnConsumedCapacity asked of the emulator (dynalite counts
 * reads as DynamoDB does, items scanned before a filter included); the answer
 * the caller gets carries it only if the caller asked.
 */
async function meterRead(operation: string, body: Buffer, forward: Forward): Promise<Metered> {
  const input = parse(body) as { ReturnConsumedCapacity?: string; ConsistentRead?: boolean };
  const asked = input.ReturnConsumedCapacity === 'TOTAL' || input.ReturnConsumedCapacity === 'INDEXES';
  const answer = await forward(
    asked ? body : Buffer.from(JSON.stringify({ ...input, ReturnConsumedCapacity: 'TOTAL' })),
  );
  if (isFault(answer)) return { answer, operation, amounts: { fault: true } };
  if (answer.status !== 200) return { answer, operation, amounts: {} };
  const output = parse(answer.body) as { ConsumedCapacity?: Capacity | Capacity[] };
  const capacities = [output.ConsumedCapacity ?? []].flat();
  // A GetItem, Query or Scan that reads nothing still costs the minimum (dynalite counts 0 for an empty Query).
  const minimum = operation === 'BatchGetItem' ? 0 : input.ConsistentRead ? 1 : 0.5;
  const readUnits = Math.max(
    minimum,
    capacities.reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0),
  );
  if (asked) return { answer, operation, amounts: { readUnits } };
  const { ConsumedCapacity: _dropped, ...rest } = output;
  const { 'x-amz-crc32': _crc, ...headers } = answer.headers;
  return { answer: { ...answer, headers, body: Buffer.from(JSON.stringify(rest)) }, operation, amounts: { readUnits } };
}

interface Capacity {
  readonly CapacityUnits?: number;
}

/** One item a write touches: its table and key. */
interface ItemWrite {
  readonly table: TableShape;
  readonly key: WireItem;
}

/** The items a PutItem, UpdateItem, DeleteItem or BatchWriteItem touches, in tables the plan declares. */
function writesOf(operation: string, input: unknown, tables: readonly TableShape[]): ItemWrite[] {
  const shapeOf = (name: string) => tables.find((t) => t.name === name);
  const keyOf = (table: TableShape, item: WireItem): WireItem =>
    Object.fromEntries(table.keys.map((k) => [k, item[k] ?? {}]));
  const writes: ItemWrite[] = [];
  const add = (tableName: string, item: WireItem | undefined) => {
    const table = shapeOf(tableName);
    if (table && item) writes.push({ table, key: keyOf(table, item) });
  };
  if (operation === 'BatchWriteItem') {
    type Entry = { PutRequest?: { Item: WireItem }; DeleteRequest?: { Key: WireItem } };
    const requests = (input as { RequestItems?: Record<string, Entry[]> }).RequestItems ?? {};
    for (const [tableName, entries] of Object.entries(requests)) {
      for (const e of entries) add(tableName, e.PutRequest?.Item ?? e.DeleteRequest?.Key);
    }
    return writes;
  }
  const single = input as { TableName: string; Item?: WireItem; Key?: WireItem };
  add(single.TableName, single.Item ?? single.Key);
  return writes;
}

function parse(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return {};
  }
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Sends `body` to the emulator with the caller's headers (and another action, for the proxy's own reads). */
function send(agent: Agent, target: URL, req: IncomingMessage, body: Buffer, action?: string): Promise<Exchange> {
  const { 'transfer-encoding': _te, ...incoming } = req.headers;
  const headers: IncomingHttpHeaders = { ...incoming, 'content-length': String(body.length) };
  if (action) headers['x-amz-target'] = action;
  return new Promise<Exchange>((resolve, reject) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (answer) => {
        readAll(answer).then(
          (data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data }),
          reject,
        );
      },
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}
