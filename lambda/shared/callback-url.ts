import { ipLiteralOf, isLoopbackHost, privateAddressKind } from './private-address.js';

/** Longest `callbackUrl` accepted, in characters. */
export const MAX_CALLBACK_URL_LENGTH = 2048;

/** Where the stack runs, as far as callback URLs are concerned. */
export interface CallbackUrlPolicy {
  /**
   * Loopback is the user's own machine (`npm start`, an emulator): http is
   * accepted for a loopback host, and private addresses may be named.
   */
  readonly allowPrivateNetworks: boolean;
}

/**
 * What is wrong with a completion callback URL, as a phrase that follows
 * "callbackUrl" ("must use https ..."), or undefined when it is acceptable.
 * Only what the URL itself shows is checked here; a name that resolves to a
 * private address is refused when the callback is delivered, after DNS.
 */
export function callbackUrlProblem(raw: string, policy: CallbackUrlPolicy): string | undefined {
  if (raw.length > MAX_CALLBACK_URL_LENGTH) return `must be at most ${MAX_CALLBACK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol === 'http:') {
    if (!policy.allowPrivateNetworks) return 'must use https';
    if (!loopback) return 'must use https; http is accepted only for a loopback host (127.0.0.1, ::1, localhost)';
  } else if (url.protocol !== 'https:') {
    return 'must use https';
  }
  if (url.username || url.password) return 'must not carry credentials; the callback is signed instead';
  if (policy.allowPrivateNetworks) return undefined;
  if (loopback) return `names ${url.hostname}, a loopback host, which this stack does not call`;
  const literal = ipLiteralOf(url.hostname);
  const kind = literal === undefined ? undefined : privateAddressKind(literal);
  if (kind) return `names ${literal}, a ${kind} address, which this stack does not call`;
  return undefined;
}
