/**
 * The local S3 endpoint: a proxy in front of fauxqs's S3, which stores and
 * serves objects but checks no signature, no policy and no expiry, and answers
 * no CORS. In front of it, this does what S3 does before it lets a request in:
 * a POST upload's policy (signature, expiry, every condition, the file's size),
 * a presigned URL's signature and expiry, and CORS for browsers. Requests signed
 * in their Authorization header (the functions' own SDK calls) pass through.
 */
import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CorsRuleDef } from '../plan.js';
import { corsHeaders } from './cors.js';
import { checkPostPolicy, parsePostForm } from './post-policy.js';
import { checkPresigned, isPresigned } from './presigned-url.js';
import type { KnownCredential, S3Refusal } from './sigv4.js';

/** Options of {@link startS3Front}. */
export interface S3FrontOptions {
  /** fauxqs's endpoint, where accepted requests go. */
  readonly target: string;
  /** The keys the runtime hands out; a signature by any other is refused. */
  readonly credentials: readonly KnownCredential[];
  /** The CORS rules of a bucket, by name (the template's, and the runtime's own origin). */
  readonly corsRules: (bucket: string) => readonly CorsRuleDef[];
  /** The largest request body taken, in bytes. */
  readonly maxBodyBytes: number;
  /** @default the system clock */
  readonly now?: () => Date;
}

/** The local S3 endpoint, running. */
export interface S3Front {
  /** `http://127.0.0.1:<port>`: an IP address, so SDK clients use path-style URLs without being told. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the S3 front on 127.0.0.1 and a free port. */
export async function startS3Front(options: S3FrontOptions): Promise<S3Front> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((req, res) => {
    handle(req, res, options, agent).catch((error: Error) => {
      if (!res.headersSent) sendRefusal(res, { status: 500, code: 'InternalError', message: error.message }, {});
      else res.destroy(error);
    });
  });
  // Longer than clients keep idle sockets (undici: 4 s), so a client never sends on a socket this end is
  // closing: an upload on such a socket fails with ECONNRESET, and a POST is not retried.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

/** One request: CORS, the checks S3 makes, then fauxqs. */
async function handle(req: IncomingMessage, res: ServerResponse, options: S3FrontOptions, agent: Agent) {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  const method = (req.method ?? 'GET').toUpperCase();
  const bucket = safeDecode(path.split('/')[1] ?? '');
  const cors = corsFor(req, method, bucket, options);
  if (method === 'OPTIONS') {
    if (!cors) return sendRefusal(res, corsRefused(), {});
    res.writeHead(200, cors);
    return res.end();
  }
  const body = await readBody(req, options.maxBodyBytes);
  if (!body) return sendRefusal(res, tooLarge(), cors ?? {});
  const refusal = checkRequest(req, { method, path, query, bucket, body }, options);
  if (refusal) return sendRefusal(res, refusal, cors ?? {}, method === 'HEAD');
  forward(req, res, body, options.target, agent, cors ?? {});
}

/** What S3 would refuse before touching the bucket: a POST upload's policy, or a presigned URL. */
function checkRequest(
  req: IncomingMessage,
  r: { method: string; path: string; query: string; bucket: string; body: Buffer },
  options: S3FrontOptions,
): S3Refusal | undefined {
  const now = (options.now ?? (() => new Date()))();
  const contentType = req.headers['content-type'] ?? '';
  const toBucket = r.path.split('/').filter(Boolean).length === 1;
  if (r.method === 'POST' && toBucket && contentType.toLowerCase().startsWith('multipart/form-data')) {
    const form = parsePostForm(r.body, contentType);
    return 'status' in form ? form : checkPostPolicy(form, { bucket: r.bucket, credentials: options.credentials, now });
  }
  if (isPresigned(r.query)) {
    return checkPresigned(
      { method: r.method, path: r.path, query: r.query, headers: req.headers },
      { credentials: options.credentials, now },
    );
  }
  return undefined;
}

/** The CORS headers for a browser's request (or preflight); undefined when no rule allows it, or no Origin came. */
function corsFor(req: IncomingMessage, method: string, bucket: string, options: S3FrontOptions) {
  const origin = req.headers.origin;
  if (!origin) return undefined;
  const preflight = method === 'OPTIONS';
  const asked = preflight ? String(req.headers['access-control-request-method'] ?? '') : method;
  const headers = preflight
    ? String(req.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean)
    : [];
  return corsHeaders(options.corsRules(bucket), origin, asked, headers);
}

/** The body, whole; undefined past `max` bytes (the rest is drained, then the answer sent). */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= max) chunks.push(chunk as Buffer);
  }
  return size > max ? undefined : Buffer.concat(chunks);
}

/** Sends the request on to fauxqs as it came, and its answer back with the CORS headers. */
function forward(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  target: string,
  agent: Agent,
  cors: Record<string, string>,
): void {
  const { 'transfer-encoding': _chunked, 'content-length': _length, connection: _c, ...headers } = req.headers;
  const upstream = request(
    new URL(req.url ?? '/', target),
    { method: req.method, headers: { ...headers, 'content-length': String(body.length) }, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...cors });
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (!res.headersSent) sendRefusal(res, { status: 503, code: 'ServiceUnavailable', message: error.message }, cors);
    else res.destroy(error);
  });
  upstream.end(body);
}

const xmlEscape = (s: string) => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** A refusal as S3 answers it: its status, and its XML error (no body for HEAD). */
function sendRefusal(res: ServerResponse, refusal: S3Refusal, cors: Record<string, string>, head = false): void {
  const body = head
    ? ''
    : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${xmlEscape(refusal.message)}</Message><RequestId>${randomUUID()}</RequestId><HostId>local</HostId></Error>`;
  res.writeHead(refusal.status, { 'content-type': 'application/xml', ...cors });
  res.end(body);
}

function corsRefused(): S3Refusal {
  return { status: 403, code: 'AccessForbidden', message: 'CORSResponse: This CORS request is not allowed.' };
}

function tooLarge(): S3Refusal {
  return { status: 400, code: 'EntityTooLarge', message: 'Your proposed upload exceeds the maximum allowed size' };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
