import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsCredentials, CREDENTIALS_REFRESH_MS, cachedCredentials } from '../src/auth.js';
import { createJobClient, JobApiError } from '../src/index.js';
import { type FakeApi, startFakeApi, view } from './support/api-server.js';
import { smithyAuthorization } from './support/smithy.js';

let api: FakeApi;

beforeAll(async () => {
  api = await startFakeApi();
});

afterAll(() => api.close());

beforeEach(() => {
  api.received.length = 0;
  api.answer(() => ({ status: 202, body: { jobId: 'j', type: 'simulate', status: 'queued', statusUrl: 'u' } }));
});

const CREDENTIALS: AwsCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

describe('IAM auth', () => {
  it.each<{ name: string; call: (c: ReturnType<typeof iamClient>) => Promise<unknown>; credentials: AwsCredentials }>([
    {
      name: 'a submission (POST with a JSON body)',
      call: (c: ReturnType<typeof iamClient>) => c.submit('simulate', { sleepMs: 1 }, { idempotencyKey: 'k-1' }),
      credentials: CREDENTIALS,
    },
    {
      name: 'a read whose job id needs encoding (GET, double-encoded path)',
      call: (c: ReturnType<typeof iamClient>) => c.get('a/b c+d').catch(() => undefined),
      credentials: CREDENTIALS,
    },
    {
      name: 'a call with temporary credentials (session token)',
      call: (c: ReturnType<typeof iamClient>) => c.submit('simulate', {}),
      credentials: { ...CREDENTIALS, sessionToken: 'FwoGZXIvYXdzEXAMPLETOKEN' },
    },
  ])('signs $name exactly as @smithy/signature-v4 does for execute-api', async ({ call, credentials }) => {
    // Prepare
    const client = iamClient(credentials, `${api.url}/v1/`);

    // Act
    await call(client);

    // Assess
    const received = api.received[0];
    if (!received) throw new Error('the fake API received nothing');
    expect(received.headers.authorization).toBe(await smithyAuthorization(received, credentials, 'eu-west-1', api.url));
    expect(received.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date/,
    );
    expect(received.headers['x-amz-security-token']).toBe(credentials.sessionToken);
  });

  it('signs each retry anew, so a retried request is not refused as a replay', async () => {
    // Prepare
    api.answer((_r, i) => (i === 0 ? { status: 503, body: {} } : { status: 200, body: view() }));
    const client = iamClient(CREDENTIALS, api.url, { retry: { baseDelayMs: 1 } });

    // Act
    await client.get('job-1');

    // Assess
    expect(api.received).toHaveLength(2);
    for (const received of api.received) {
      expect(received.headers.authorization).toBe(
        await smithyAuthorization(received, CREDENTIALS, 'eu-west-1', api.url),
      );
    }
  });

  it('asks the provider once for many calls while the credentials are fresh', async () => {
    // Prepare
    let calls = 0;
    const provider = async () => {
      calls += 1;
      return { ...CREDENTIALS, expiration: new Date(Date.now() + 3_600_000) };
    };
    const client = createJobClient({ url: api.url, auth: { iam: provider, region: 'eu-west-1' } });

    // Act
    await Promise.all([client.submit('simulate', {}), client.submit('simulate', {}), client.submit('simulate', {})]);

    // Assess
    expect(calls).toBe(1);
    expect(api.received).toHaveLength(3);
  });

  it('fails with CREDENTIALS_ERROR, and sends nothing, when the provider fails; a later call asks again', async () => {
    // Prepare
    let calls = 0;
    const provider = async () => {
      calls += 1;
      if (calls === 1) throw new Error('Could not load credentials from any providers');
      return CREDENTIALS;
    };
    const client = createJobClient({ url: api.url, auth: { iam: provider, region: 'eu-west-1' } });

    // Act
    const error = await client.submit('simulate', {}).catch((e: unknown) => e);
    await client.submit('simulate', {});

    // Assess
    expect(error).toBeInstanceOf(JobApiError);
    expect(error).toMatchObject({
      code: 'CREDENTIALS_ERROR',
      status: undefined,
      message: expect.stringMatching(/Could not load credentials/),
    });
    expect(api.received).toHaveLength(1);
    expect(calls).toBe(2);
  });
});

describe('cachedCredentials', () => {
  it('fetches again once the credentials are within the refresh window of their expiration', async () => {
    // Prepare
    let now = 0;
    const issued: number[] = [];
    const provider = async () => {
      issued.push(now);
      return { ...CREDENTIALS, sessionToken: `t${issued.length}`, expiration: new Date(now + 3_600_000) };
    };
    const credentials = cachedCredentials(provider, () => now);

    // Act
    const first = await credentials();
    now = 3_600_000 - CREDENTIALS_REFRESH_MS - 1;
    const stillFirst = await credentials();
    now = 3_600_000 - CREDENTIALS_REFRESH_MS;
    const second = await credentials();

    // Assess
    expect([first.sessionToken, stillFirst.sessionToken, second.sessionToken]).toEqual(['t1', 't1', 't2']);
    expect(issued).toEqual([0, 3_600_000 - CREDENTIALS_REFRESH_MS]);
  });

  it('keeps credentials without an expiration for good', async () => {
    // Prepare
    let calls = 0;
    const credentials = cachedCredentials(async () => {
      calls += 1;
      return CREDENTIALS;
    });

    // Act
    await credentials();
    await credentials();

    // Assess
    expect(calls).toBe(1);
  });
});

describe('API-key and no auth', () => {
  it('sends the API key as x-api-key, and no signature', async () => {
    // Prepare
    const client = createJobClient({ url: api.url, auth: { apiKey: 'k1' } });

    // Act
    await client.submit('simulate', {});

    // Assess
    expect(api.received[0]?.headers['x-api-key']).toBe('k1');
    expect(api.received[0]?.headers.authorization).toBeUndefined();
  });

  it("sends neither with auth 'none'", async () => {
    // Prepare
    const client = createJobClient({ url: api.url, auth: 'none' });

    // Act
    await client.submit('simulate', {});

    // Assess
    expect(api.received[0]?.headers['x-api-key']).toBeUndefined();
    expect(api.received[0]?.headers.authorization).toBeUndefined();
    expect(api.received[0]?.headers['content-type']).toBe('application/json');
  });
});

function iamClient(credentials: AwsCredentials, url: string, options: { retry?: { baseDelayMs: number } } = {}) {
  return createJobClient({ url, auth: { iam: credentials, region: 'eu-west-1' }, ...options });
}
