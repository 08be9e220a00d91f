import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from './wait.js';

/** One request a {@link WebhookReceiver} received, as it arrived. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The raw body: what a signature is computed over. */
  readonly body: string;
}

/** A webhook receiver on a loopback port that keeps every request and answers with one status (204 unless told). */
export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly received: readonly ReceivedRequest[];
  /** Forgets what was received, between tests. */
  clear(): void;
  /** Waits for the first request whose path is `path`. */
  request(path: string, timeoutMs?: number): Promise<ReceivedRequest>;
  /** The request as it went over the wire, headers sorted: for docs and reports. */
  transcript(request: ReceivedRequest): string;
  close(): Promise<void>;
}

/** Starts a {@link WebhookReceiver}. */
export async function startWebhookReceiver(options: { readonly status?: number } = {}): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      res.writeHead(options.status ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    clear: () => {
      received.length = 0;
    },
    request: (path, timeoutMs = 60_000) =>
      waitFor(
        async () => received.find((r) => r.path === path),
        (r): r is ReceivedRequest => r !== undefined,
        { timeoutMs, what: `a request to ${path}` },
      ) as Promise<ReceivedRequest>,
    transcript: (r) =>
      [
        `${r.method} ${r.path} HTTP/1.1`,
        ...Object.entries(r.headers)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => `${name}: ${[value].flat().join(', ')}`),
        '',
        r.body,
      ].join('\n'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
