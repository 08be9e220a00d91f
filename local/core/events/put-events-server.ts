import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callerOf } from '../metering/metering-proxy.js';
import type { UsageMeter } from '../metering/usage.js';
import { type PutEventsEntry, PutEventsError, type PutEventsResult } from './event-router.js';

/** EventBridge's limit on a whole PutEvents request, in bytes. */
const MAX_REQUEST_BYTES = 1024 * 1024;

/** The local EventBridge endpoint: functions get its URL as AWS_ENDPOINT_URL_EVENTBRIDGE. */
export interface EventsEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** What the endpoint does with a request's entries: the router's `put`, once the runtime has one. */
export type PutEventsHandler = (entries: readonly PutEventsEntry[]) => PutEventsResult[];

/**
 * Serves EventBridge's PutEvents on 127.0.0.1 and a free port, in the AWS JSON
 * 1.1 protocol the SDK speaks (`X-Amz-Target: AWSEvents.PutEvents`). Any other
 * operation is refused as EventBridge refuses an unknown one: rules and buses
 * come from the template, not from calls.
 */
export async function startEventsEndpoint(
  handler: () => PutEventsHandler | undefined,
  meter?: UsageMeter,
): Promise<EventsEndpoint> {
  const server = createServer((req, res) => {
    serve(req, res, handler(), meter).catch((error: Error) =>
      reply(res, 500, { __type: 'InternalException', message: error.message }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  put: PutEventsHandler | undefined,
  meter: UsageMeter | undefined,
): Promise<void> {
  const body = await readBody(req);
  const target = req.headers['x-amz-target'];
  if (req.method !== 'POST' || target !== 'AWSEvents.PutEvents') {
    const operation = String(target ?? `${req.method} ${req.url}`).replace(/^AWSEvents\./, '');
    return reply(res, 400, {
      __type: 'UnknownOperationException',
      message: `The local runtime's EventBridge serves PutEvents only, not ${operation}; buses and rules come from the template.`,
    });
  }
  if (!put) return reply(res, 503, { __type: 'ServiceUnavailableException', message: 'The runtime is starting.' });
  if (body.length > MAX_REQUEST_BYTES) {
    return reply(res, 400, {
      __type: 'ValidationException',
      message: `Total size of the entries in the request is over the limit (${MAX_REQUEST_BYTES} bytes).`,
    });
  }
  let entries: PutEventsEntry[];
  try {
    entries = (JSON.parse(body.toString('utf8')) as { Entries?: PutEventsEntry[] }).Entries ?? [];
  } catch {
    return reply(res, 400, { __type: 'SerializationException', message: 'The request body is not JSON.' });
  }
  try {
    const results = put(entries);
    const FailedEntryCount = results.filter((r) => 'ErrorCode' in r).length;
    if (meter) {
      const billed = entries.reduce((n, e, i) => n + (results[i] && 'EventId' in results[i] ? chunksOf(e) : 0), 0);
      meter.call(callerOf(req.headers, meter), 'events', 'PutEvents', { billedRequests: billed });
    }
    reply(res, 200, { FailedEntryCount, Entries: results });
  } catch (error) {
    if (!(error instanceof PutEventsError)) throw error;
    reply(res, 400, { __type: error.code, message: error.message });
  }
}

/** EventBridge bills each 64 KB chunk of an entry as one event; its size is the documented sum. */
function chunksOf(entry: PutEventsEntry): number {
  const bytes =
    (entry.Time !== undefined ? 14 : 0) +
    Buffer.byteLength(entry.Source ?? '') +
    Buffer.byteLength(entry.DetailType ?? '') +
    Buffer.byteLength(entry.Detail ?? '') +
    (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0);
  return Math.max(1, Math.ceil(bytes / (64 * 1024)));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  res.end(JSON.stringify(body));
}
