import { describe, expect, it } from 'vitest';
import { checkLocalEndpoint, DEFAULT_ENDPOINT, isLoopbackHost } from '../../../emulator/endpoint.js';

describe('isLoopbackHost', () => {
  it.each([
    { host: 'localhost', loopback: true },
    { host: 'LOCALHOST', loopback: true },
    { host: '127.0.0.1', loopback: true },
    { host: '127.1.2.3', loopback: true },
    { host: '::1', loopback: true },
    { host: '[::1]', loopback: true },
    { host: '128.0.0.1', loopback: false },
    { host: '10.0.0.5', loopback: false },
    { host: '127.0.0.1.example.com', loopback: false },
    { host: 'localhost.localstack.cloud', loopback: false },
  ])('says $loopback for $host', ({ host, loopback }) => {
    // Act & Assess
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('checkLocalEndpoint', () => {
  it.each([DEFAULT_ENDPOINT, 'http://localhost:4566', 'http://[::1]:4566/'])(
    'accepts the loopback endpoint %s',
    (endpoint) => {
      // Act
      const url = checkLocalEndpoint(endpoint);

      // Assess
      expect(url.href).toBe(new URL(endpoint).href);
    },
  );

  it.each([
    'https://sqs.us-east-1.amazonaws.com',
    'https://cloudformation.cn-north-1.amazonaws.com.cn',
    'https://AMAZONAWS.COM',
  ])('refuses the AWS endpoint %s, even when non-loopback endpoints are allowed', (endpoint) => {
    // Act & Assess
    expect(() => checkLocalEndpoint(endpoint, true)).toThrow(
      /only deploys to an emulator, never to AWS.*npm run deploy/,
    );
  });

  it('refuses a non-loopback endpoint unless allowed, saying how to allow it', () => {
    // Act & Assess
    expect(() => checkLocalEndpoint('http://10.0.0.5:4566')).toThrow(
      /not a loopback address.*--allow-non-loopback or set DEPLOY_LOCAL_ALLOW_NON_LOOPBACK=1/,
    );
    expect(checkLocalEndpoint('http://10.0.0.5:4566', true).hostname).toBe('10.0.0.5');
  });

  it('refuses what is not a URL, showing one that is', () => {
    // Act & Assess
    expect(() => checkLocalEndpoint('127.0.0.1:4566:x')).toThrow(
      `AWS_ENDPOINT_URL "127.0.0.1:4566:x" is not a URL; use e.g. ${DEFAULT_ENDPOINT}.`,
    );
  });
});
