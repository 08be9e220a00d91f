import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the fake API received. */
export interface Received {
  readonly method: string;
  /** Path and query, as sent on the wire. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How the fake API answers one request: a status and a body (JSON unless a string), or a dropped connection. */
export type Reply =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  | 'drop';

/** Chooses the reply to the `index`-th request (0-based). */
export type Replier = (request: Received, index: number) => Reply | Promise<Reply>;

/** A local stand-in for the job API, on node:http: it records every request and answers as the test says. */
export interface FakeApi {
  readonly url: string;
  readonly received: Received[];
  /** Answers from now on with `replier`. */
  answer(replier: Replier): void;
  close(): Promise<void>;
}

/** The body of the `index`-th request, parsed as JSON. */
export function jsonBody<T = Record<string, unknown>>(api: FakeApi, index: number): T {
  return JSON.parse(api.received[index]?.body ?? 'null') as T;
}

/** A job view as `GET /jobs/{id}` returns it. */
export function view(changes: Record<string, unknown> = {}) {
  return {
    jobId: 'job-1',
    type: 'simulate',
    status: 'queued',
    attempts: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...changes,
  };
}

/** Starts the fake API on a free port of 127.0.0.1; it answers 200 `{}` until told otherwise. */
export async function startFakeApi(): Promise<FakeApi> {
  const received: Received[] = [];
  let replier: Replier = () => ({ status: 200, body: {} });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const request = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      received.push(request);
      const reply = await replier(request, received.length - 1);
      if (reply === 'drop') {
        req.socket.destroy();
        return;
      }
      const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      const type = typeof reply.body === 'string' ? 'text/plain' : 'application/json';
      res.writeHead(reply.status, { 'content-type': type, ...reply.headers }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answer(next) {
      replier = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
