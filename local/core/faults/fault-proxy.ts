import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An AWS error as a service's JSON protocol answers it. */
export interface ServiceFault {
  readonly status: number;
  /** The protocol's `__type`, which the SDK turns into the error's name. */
  readonly type: string;
}

/** The faults each emulated service answers with, alternately: what a real one says when it is overloaded. */
export const SERVICE_FAULTS: Readonly<Record<'dynamodb' | 'sqs', readonly ServiceFault[]>> = {
  dynamodb: [
    { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException' },
    { status: 500, type: 'com.amazonaws.dynamodb.v20120810#InternalServerError' },
  ],
  sqs: [
    { status: 500, type: 'com.amazonaws.sqs#InternalError' },
    { status: 503, type: 'com.amazonaws.sqs#ServiceUnavailable' },
  ],
};

/** A running fault proxy. */
export interface FaultProxy {
  /** Where functions send their calls instead of the emulator. */
  readonly endpoint: string;
  /** Calls answered with a fault so far. */
  readonly injected: () => number;
  stop(): Promise<void>;
}

/**
 * A proxy in front of an emulator that answers a share of the calls with one
 * of `faults`, without forwarding them, and passes the rest through as they
 * are. The SDK in the functions sees a throttled or failing service; its own
 * retries absorb most single faults, as on AWS, and the rest reach the app.
 */
export async function startFaultProxy(options: {
  readonly target: string;
  readonly share: number;
  readonly faults: readonly ServiceFault[];
  readonly random: () => number;
}): Promise<FaultProxy> {
  const target = new URL(options.target);
  let injected = 0;
  const server: Server = createServer((req, res) => {
    if (options.random() < options.share) {
      const fault = options.faults[injected++ % options.faults.length] as ServiceFault;
      req.resume();
      const body = JSON.stringify({ __type: fault.type, message: 'Fault injected by the local runtime (QW_FAULTS).' });
      res.writeHead(fault.status, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    forward(req, res, target);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    injected: () => injected,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Passes a request to the emulator and its answer back, unchanged. */
function forward(req: IncomingMessage, res: ServerResponse, target: URL): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
}
