/**
 * The URL of a deployed REST API on the emulator. The stack's ApiUrl output
 * names execute-api.amazonaws.com, which an emulator does not serve; both
 * ministack and LocalStack route this path form to the API instead.
 */
export function emulatorApiUrl(endpoint: string, restApiId: string, stage: string): string {
  return `${endpoint.replace(/\/+$/, '')}/restapis/${restApiId}/${stage}/_user_request_`;
}

/** The REST API id and stage in an ApiUrl output (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/`). */
export function parseApiUrl(apiUrl: string): { restApiId: string; stage: string } {
  const match = /^https:\/\/([a-z0-9]+)\.execute-api\.[^/]+\/([^/]+)\/?$/.exec(apiUrl);
  if (!match?.[1] || !match[2]) throw new Error(`"${apiUrl}" is not an API Gateway invoke URL.`);
  return { restApiId: match[1], stage: match[2] };
}
