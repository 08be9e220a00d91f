import { describe, expect, it } from 'vitest';
import { renderAccessLog } from '../../../local/core/api-gateway/access-log.js';

// AccessLogFormat.jsonWithStandardFields(), as CDK writes it into the stage.
const STANDARD =
  '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","user":"$context.identity.user","caller":"$context.identity.caller","requestTime":"$context.requestTime","httpMethod":"$context.httpMethod","resourcePath":"$context.resourcePath","status":"$context.status","protocol":"$context.protocol","responseLength":"$context.responseLength"}';

describe('renderAccessLog', () => {
  it("fills in a stage's $context variables, and `-` where a request has no value", () => {
    const line = renderAccessLog(STANDARD, {
      requestId: 'r-1',
      method: 'POST',
      path: '/v1/nowhere',
      sourceIp: '10.0.0.1',
      status: 403,
      responseLength: 42,
    });
    expect(JSON.parse(line)).toMatchObject({
      requestId: 'r-1',
      ip: '10.0.0.1',
      user: '-',
      caller: '-',
      httpMethod: 'POST',
      resourcePath: '-',
      status: '403',
      responseLength: '42',
    });
    expect(JSON.parse(line).requestTime).toMatch(/^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });
});
