import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { NotFoundError, RedriveRefusedError } from '../../../../lambda/shared/errors.js';
import { checkSameOrigin, pathSegments, sendError } from '../../../../local/console/console-http.js';

const request = (headers: Record<string, string | undefined>) => ({ headers }) as unknown as IncomingMessage;

/** A response that keeps what was sent. */
function response() {
  const sent = { status: 0, body: '' };
  const res = {
    headersSent: false,
    writeHead: (status: number) => {
      sent.status = status;
    },
    end: (body: string) => {
      sent.body = body;
    },
  } as unknown as ServerResponse;
  return { res, sent };
}

describe("the console's HTTP edge", () => {
  it('lets a same-origin JSON POST through', () => {
    // Act
    const check = () =>
      checkSameOrigin(
        request({ host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000', 'content-type': 'application/json' }),
      );
    // Assess
    expect(check).not.toThrow();
  });

  it.each([
    {
      name: 'a POST from another origin',
      headers: { host: '127.0.0.1:3000', origin: 'http://evil.example', 'content-type': 'application/json' },
      status: 403,
      code: 'FORBIDDEN',
    },
    {
      name: 'a POST that is not JSON',
      headers: { host: '127.0.0.1:3000' },
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
  ])('refuses $name with $status', ({ headers, status, code }) => {
    // Prepare
    const { res, sent } = response();
    // Act
    try {
      checkSameOrigin(request(headers));
    } catch (error) {
      sendError(res, error);
    }
    // Assess
    expect(sent.status).toBe(status);
    expect(JSON.parse(sent.body)).toMatchObject({ error: { code } });
  });

  it.each([
    { error: new NotFoundError('No job type "x".'), status: 404, code: 'NOT_FOUND' },
    { error: new RedriveRefusedError('mail', 'busy', undefined), status: 409, code: 'REDRIVE_REFUSED' },
    { error: new Error('boom'), status: 500, code: 'INTERNAL' },
  ])("answers $code with the project's status code and error body", ({ error, status, code }) => {
    // Prepare
    const { res, sent } = response();
    // Act
    sendError(res, error);
    // Assess
    expect(sent.status).toBe(status);
    expect(JSON.parse(sent.body)).toEqual({ error: { code, message: error.message } });
  });

  it('decodes the segments of a path', () => {
    expect(pathSegments('/ui/api/jobs/a%20b%2Fc/%E2%82%AC')).toEqual(['ui', 'api', 'jobs', 'a b/c', '€']);
  });

  it.each(['/ui/api/jobs/%', '/ui/api/jobs/%zz', '/ui/api/dlq/%E0%A4%A', '/ui/api/jobs/%E2%82'])(
    'answers %s, whose percent-escape does not decode, 400 MALFORMED_PATH instead of a 500',
    (path) => {
      // Prepare
      const { res, sent } = response();
      // Act
      try {
        pathSegments(path);
      } catch (error) {
        sendError(res, error);
      }
      // Assess
      expect(sent.status).toBe(400);
      expect(JSON.parse(sent.body)).toEqual({
        error: { code: 'MALFORMED_PATH', message: expect.stringContaining(`The path ${JSON.stringify(path)}`) },
      });
    },
  );
});
