import { ReceiveMessageCommand, SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorResponse } from '../../../lambda/api/http.js';
import { API_ROUTES } from '../../../lambda/api/route-table.js';
import { route } from '../../../lambda/api/routes.js';
import { memoryApiDeps } from '../../helpers/api-deps.js';
import { apiEvent } from '../../helpers/events.js';

const sqs = mockClient(SQSClient);
sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task' });

/** Names that break code which builds objects from client-chosen keys. */
const TRICKY_NAMES = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', 'Idempotency-Key'];

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.string({ minLength: 256, maxLength: 6000 }),
  fc.constantFrom('', ' ', '%', '%E0%A4%A', '\uFFFF', '\uD800', 'a\u0000b'),
);

/** A body nested `depth` levels deep, as text: far deeper than any validator's recursion can take. */
const deepBody = fc
  .integer({ min: 1, max: 60_000 })
  .chain((depth) =>
    fc.constantFrom(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  );

/** A job request that is plausible enough to reach the payload schemas, with hostile values anywhere. */
const jobRequest = fc.record(
  {
    type: fc.oneof(fc.constantFrom('simulate', 'webhook.deliver'), text),
    payload: fc.oneof(
      fc.anything({ withNullPrototype: true, withObjectString: true }),
      fc.record({ sleepMs: fc.oneof(fc.integer(), fc.double(), text), failTimes: fc.anything() }, { requiredKeys: [] }),
      fc.record({ url: fc.oneof(fc.webUrl(), text), body: fc.jsonValue(), headers: fc.dictionary(text, text) }),
    ),
    idempotencyKey: text,
    delaySeconds: fc.oneof(fc.integer(), fc.double(), text),
    groupId: text,
  },
  { requiredKeys: [] },
);

/** A webhook job whose JSON `body` (validated by a recursive schema) nests `deep`. */
const deepJob = deepBody.map(
  (deep) => `{"type":"webhook.deliver","payload":{"url":"https://example.com/hook","body":${deep}}}`,
);

const body = fc.oneof(
  fc.constant(undefined),
  text,
  deepBody,
  deepJob,
  deepJob.map((job) => `{"jobs":[${job}]}`),
  fc.json(),
  jobRequest.map((r) => JSON.stringify(r)),
  fc.array(jobRequest, { maxLength: 120 }).map((jobs) => JSON.stringify({ jobs })),
);

const headers = fc.dictionary(
  fc.oneof(fc.constantFrom(...TRICKY_NAMES, 'content-type', 'Content-Type', 'idempotency-key'), text),
  fc.oneof(text, fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain')),
  { maxKeys: 6 },
);

const anyRoute = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE'),
  resource: fc.oneof(fc.constantFrom(...API_ROUTES.map((r) => r.path), '/{proxy+}', '/'), text),
});

/** Mostly the API's own operations, so hostile values reach the code behind each of them. */
const request = fc.record({
  target: fc.oneof(
    { arbitrary: fc.constantFrom(...API_ROUTES.map((r) => ({ method: r.method, resource: r.path }))), weight: 4 },
    { arbitrary: anyRoute, weight: 1 },
  ),
  jobId: text,
  type: fc.oneof(fc.constantFrom('simulate', 'webhook.deliver', 'Simulate'), text),
  body,
  headers,
  base64: fc.boolean(),
});

async function respond(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  try {
    return await route(event, memoryApiDeps());
  } catch (error) {
    return errorResponse(error, 'req-fuzz');
  }
}

describe('the API adapter under hostile input', () => {
  it('answers every request with a status below 500 and, for errors, the { error: { code, message } } body', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Prepare
        const event = apiEvent({
          method: r.target.method,
          resource: r.target.resource,
          path: r.target.resource,
          ...(r.body !== undefined ? { body: r.body } : {}),
          headers: Object.fromEntries(Object.entries(r.headers)),
          pathParameters: { jobId: r.jobId, type: r.type },
        });
        if (r.base64 && event.body !== null) {
          event.body = Buffer.from(event.body).toString('base64');
          event.isBase64Encoded = true;
        }

        // Act
        const res = await respond(event);

        // Assess
        expect(res.statusCode, res.body).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(JSON.parse(res.body)).toMatchObject({
            error: { code: expect.any(String), message: expect.any(String) },
          });
        }
      }),
      { numRuns: 1500 },
    );
  });
});
