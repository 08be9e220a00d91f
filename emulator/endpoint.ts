/** Where `npm run emulator` listens unless GATEWAY_PORT says otherwise. */
export const DEFAULT_PORT = 4566;

/** The emulator endpoint when nothing names another (no AWS_ENDPOINT_URL, no --endpoint). */
export const DEFAULT_ENDPOINT = `http://127.0.0.1:${DEFAULT_PORT}`;

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * Parses `endpoint` and refuses anything that could be real AWS: any
 * amazonaws.com host, and any non-loopback host unless `allowNonLoopback`.
 */
export function checkLocalEndpoint(endpoint: string, allowNonLoopback = false): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`AWS_ENDPOINT_URL "${endpoint}" is not a URL; use e.g. ${DEFAULT_ENDPOINT}.`);
  }
  if (/(^|\.)amazonaws\.com(\.cn)?$/i.test(url.hostname)) {
    throw new Error(
      `Refusing ${endpoint}: deploy:local only deploys to an emulator, never to AWS. Use \`npm run deploy\`.`,
    );
  }
  if (!isLoopbackHost(url.hostname) && !allowNonLoopback) {
    throw new Error(
      `Refusing ${endpoint}: it is not a loopback address. If an emulator really runs there, pass --allow-non-loopback or set DEPLOY_LOCAL_ALLOW_NON_LOOPBACK=1.`,
    );
  }
  return url;
}
