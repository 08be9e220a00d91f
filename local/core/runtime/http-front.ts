import { createServer, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The port is taken; the message says how to choose another. */
export class PortInUseError extends Error {
  constructor(host: string, port: number) {
    super(
      `Port ${port} on ${host} is already in use. Stop what uses it, or choose another: PORT=${port + 1} npm start`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * The runtime's HTTP server. It is claimed before anything else, so a taken port
 * fails in a second rather than after synthesis; it answers 503 until the
 * runtime serves, and again once the runtime stops.
 */
export interface HttpFront {
  /** `http://<host>:<port>` */
  readonly url: string;
  /** Passes every request to `handler` from now on. */
  serve(handler: RequestListener): void;
  /** Answers 503 to every new request from now on. */
  refuse(): void;
  /** Stops accepting connections, lets `drain` finish the requests in flight, then closes the rest. */
  close(drain?: () => Promise<void>): Promise<void>;
}

/** Listens on `host:port` (0 for a free port). */
export async function claimPort(host: string, port: number): Promise<HttpFront> {
  let handler: RequestListener | undefined;
  let stopping = false;
  const server = createServer((req, res) => {
    if (handler && !stopping) handler(req, res);
    else unavailable(res, stopping ? 'The local runtime is stopping.' : 'The local runtime is starting.');
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error),
    );
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    serve(next) {
      handler = next;
    },
    refuse() {
      stopping = true;
    },
    async close(drain) {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await drain?.();
      server.closeAllConnections();
      await closed;
    },
  };
}

function unavailable(res: ServerResponse, message: string): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
  res.end(JSON.stringify({ message }));
}
