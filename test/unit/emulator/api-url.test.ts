import { describe, expect, it } from 'vitest';
import { emulatorApiUrl, parseApiUrl } from '../../../emulator/api-url.js';

describe('parseApiUrl', () => {
  it.each([
    { apiUrl: 'https://abc123xyz.execute-api.us-east-1.amazonaws.com/v1/', restApiId: 'abc123xyz', stage: 'v1' },
    { apiUrl: 'https://abc123xyz.execute-api.eu-west-1.amazonaws.com/prod', restApiId: 'abc123xyz', stage: 'prod' },
  ])('reads the REST API id and stage of $apiUrl', ({ apiUrl, restApiId, stage }) => {
    // Act & Assess
    expect(parseApiUrl(apiUrl)).toEqual({ restApiId, stage });
  });

  it.each([
    'http://abc.execute-api.us-east-1.amazonaws.com/v1/',
    'https://api.example.com/v1/',
    'https://abc.execute-api.us-east-1.amazonaws.com/',
    'https://abc.execute-api.us-east-1.amazonaws.com/v1/jobs',
    '',
  ])('refuses %j, which is not an API Gateway invoke URL', (apiUrl) => {
    // Act & Assess
    expect(() => parseApiUrl(apiUrl)).toThrow(`"${apiUrl}" is not an API Gateway invoke URL.`);
  });
});

describe('emulatorApiUrl', () => {
  it.each(['http://127.0.0.1:4566', 'http://127.0.0.1:4566/'])(
    'builds the path form emulators serve from %s',
    (endpoint) => {
      // Act & Assess
      expect(emulatorApiUrl(endpoint, 'abc123', 'v1')).toBe('http://127.0.0.1:4566/restapis/abc123/v1/_user_request_');
    },
  );

  it('round-trips with parseApiUrl', () => {
    // Prepare
    const { restApiId, stage } = parseApiUrl('https://k9x.execute-api.us-east-1.amazonaws.com/v1/');

    // Act & Assess
    expect(emulatorApiUrl('http://localhost:4600', restApiId, stage)).toBe(
      'http://localhost:4600/restapis/k9x/v1/_user_request_',
    );
  });
});
