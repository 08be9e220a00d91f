import { describe, expect, it } from 'vitest';
import { callbackUrlProblem } from '../../../lambda/shared/callback-url.js';
import { isLoopbackHost, privateAddressKind } from '../../../lambda/shared/private-address.js';

describe('private addresses', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd00:ec2::254', 'private'],
    ['fc12::1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
  ])('names %s a %s address', (address, kind) => {
    expect(privateAddressKind(address)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '100.64.0.1', '2606:4700::1111', 'example.com'])(
    'leaves %s alone',
    (address) => {
      expect(privateAddressKind(address)).toBeUndefined();
    },
  );

  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['localhost', true],
    ['LOCALHOST.', true],
    ['api.localhost', true],
    ['10.0.0.1', false],
    ['localhost.example.com', false],
  ])('tells whether host %s is loopback: %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('callback URLs', () => {
  const aws = { allowPrivateNetworks: false };
  const local = { allowPrivateNetworks: true };

  it.each([
    ['https://hooks.example.com/jobs?x=1', aws],
    ['https://hooks.example.com/jobs', local],
    ['http://127.0.0.1:8080/hook', local],
    ['http://localhost:8080/hook', local],
    ['http://[::1]:8080/hook', local],
    ['https://10.0.0.5/hook', local],
  ])('accepts %s', (url, policy) => {
    expect(callbackUrlProblem(url, policy)).toBeUndefined();
  });

  it.each([
    ['http://hooks.example.com/', aws, 'must use https'],
    ['http://127.0.0.1:8080/hook', aws, 'must use https'],
    ['http://hooks.example.com/', local, 'http is accepted only for a loopback host'],
    ['http://10.0.0.5/', local, 'http is accepted only for a loopback host'],
    ['ftp://hooks.example.com/', local, 'must use https'],
    ['https://user:pass@hooks.example.com/', aws, 'must not carry credentials'],
    ['https://127.0.0.1/hook', aws, 'a loopback host'],
    ['https://localhost/hook', aws, 'a loopback host'],
    ['https://169.254.169.254/latest/meta-data', aws, 'a link-local address'],
    ['https://[fd00:ec2::254]/', aws, 'a private address'],
    ['https://192.168.0.10/', aws, 'a private address'],
    ['/relative', aws, 'must be an absolute URL'],
    [`https://example.com/${'a'.repeat(2048)}`, aws, 'at most 2048 characters'],
  ])('refuses %s, saying why', (url, policy, problem) => {
    expect(callbackUrlProblem(url, policy)).toContain(problem);
  });
});
