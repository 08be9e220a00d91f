import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SecretStore } from './secret-store.js';

/** The runtime's Secrets Manager endpoint: GetSecretValue, on a loopback port. */
export interface SecretsServer {
  /** `http://127.0.0.1:<port>`: functions get it as AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * Serves Secrets Manager's GetSecretValue (JSON 1.1 protocol, as the AWS SDK
 * sends it) from the store, so functions read their secrets with unchanged
 * code. Only the current version (AWSCURRENT) exists. Other operations answer
 * UnknownOperationException. Signatures are not checked, as nothing locally is.
 */
export async function startSecretsServer(store: SecretStore): Promise<SecretsServer> {
  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => answer(store, req.headers['x-amz-target'], body, res))
      .catch(() => fail(res, 400, 'SerializationException', 'The request body is not JSON.'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

function answer(
  store: SecretStore,
  target: string | string[] | undefined,
  body: Record<string, unknown>,
  res: ServerResponse,
) {
  if (target !== 'secretsmanager.GetSecretValue') {
    return fail(
      res,
      400,
      'UnknownOperationException',
      `The local runtime serves GetSecretValue only, not ${String(target)}.`,
    );
  }
  const secretId = typeof body.SecretId === 'string' ? body.SecretId : '';
  const secret = store.get(secretId);
  if (!secret) return fail(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  const stage = body.VersionStage ?? 'AWSCURRENT';
  const version = body.VersionId ?? secret.versionId;
  if (stage !== 'AWSCURRENT' || version !== secret.versionId) {
    return fail(res, 400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret value.");
  }
  res.writeHead(200, { 'content-type': CONTENT_TYPE });
  res.end(
    JSON.stringify({
      ARN: secret.arn,
      Name: secret.name,
      SecretString: secret.value,
      VersionId: secret.versionId,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: secret.createdDate,
    }),
  );
}

/** An error as Secrets Manager answers one: its type in the body and in x-amzn-ErrorType. */
function fail(res: ServerResponse, status: number, type: string, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': CONTENT_TYPE, 'x-amzn-errortype': type });
  res.end(JSON.stringify({ __type: type, message }));
}
