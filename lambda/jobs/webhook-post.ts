import { type LookupAddress, type LookupOptions, lookup } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { NonRetryableError, PrivateAddressError } from '../shared/errors.js';
import { ipLiteralOf, privateAddressKind } from '../shared/private-address.js';
import { quote } from '../shared/quote.js';

/** One POST of a JSON body. */
export interface PostRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Aborts the request: the job's deadline and the attempt's timeout. */
  readonly signal: AbortSignal;
  /** Refuse private, loopback, link-local and unspecified addresses, before and after DNS. */
  readonly refusePrivateAddresses: boolean;
}

/** Resolves a name to all its addresses: node:dns's lookup with `all: true`. */
export type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

/**
 * A DNS lookup that refuses a name resolving to any private address. It is
 * the lookup of the connection itself, so the address checked is the address
 * connected to: a name that resolves to a public address when checked and to
 * a private one when connecting (DNS rebinding) cannot slip through. Every
 * address a name has is checked, not only the first, since the connection
 * may fall back to any of them.
 */
export function guardedLookup(resolve: Resolver = lookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...(options as LookupOptions), all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      for (const { address } of addresses) {
        const kind = privateAddressKind(address);
        if (kind) return callback(new PrivateAddressError(hostname, address, kind), '', 0);
      }
      if ((options as LookupOptions).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
      return callback(null, first.address, first.family);
    });
  };
}

const LOOKUP = guardedLookup();

/**
 * POSTs `body` and resolves with the response's status, without following
 * redirects. The response body is drained and ignored. Node's own http
 * client rather than fetch: its `lookup` hook is what lets the address check
 * happen at connect time, which global fetch offers only through a dispatcher
 * of the separately installed undici.
 */
export function postJson(request: PostRequest): Promise<number> {
  const { url } = request;
  if (request.refusePrivateAddresses) {
    // An IP address is connected to without a lookup, so it is checked here.
    const literal = ipLiteralOf(url.hostname);
    const kind = literal === undefined ? undefined : privateAddressKind(literal);
    if (literal !== undefined && kind) return Promise.reject(new PrivateAddressError(literal, literal, kind));
  }
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    let outgoing: http.ClientRequest;
    try {
      outgoing = client.request(
        url,
        {
          method: 'POST',
          headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
          signal: request.signal,
          ...(request.refusePrivateAddresses ? { lookup: LOOKUP } : {}),
        },
        (response) => {
          // An abort after the answer must not surface as an unhandled error.
          response.on('error', () => undefined);
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
    } catch (error) {
      // A header value Node refuses (a character HTTP does not allow): the same request fails the same way.
      reject(new NonRetryableError(`Could not build the request to ${quote(url.href)}: ${(error as Error).message}`));
      return;
    }
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}
