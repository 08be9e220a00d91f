import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localAwsEnv, parseDeployLocalArgs } from '../../../emulator/deploy.js';
import { PROJECT_BIN } from '../../../emulator/paths.js';
import { LOCAL_REGION, THROWAWAY_CREDENTIALS } from '../../../local/core/local-aws.js';

describe('localAwsEnv', () => {
  const caller: NodeJS.ProcessEnv = {
    HOME: '/home/dev',
    PATH: '/usr/bin',
    AWS_PROFILE: 'production',
    AWS_ACCESS_KEY_ID: 'AKIAREAL',
    AWS_SECRET_ACCESS_KEY: 'real-secret',
    AWS_SESSION_TOKEN: 'real-token',
    AWS_ENDPOINT_URL_SQS: 'https://sqs.eu-west-1.amazonaws.com',
    AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/deployer',
    CDK_DEFAULT_ACCOUNT: '123456789012',
    CDK_DEFAULT_REGION: 'eu-west-1',
  };

  it("drops every AWS_* and CDK_DEFAULT_* variable of the caller's, keeping the rest", () => {
    // Act
    const env = localAwsEnv('http://127.0.0.1:4566', '/tmp/empty', caller);

    // Assess
    for (const name of [
      'AWS_PROFILE',
      'AWS_SESSION_TOKEN',
      'AWS_ENDPOINT_URL_SQS',
      'AWS_ROLE_ARN',
      'CDK_DEFAULT_ACCOUNT',
      'CDK_DEFAULT_REGION',
    ]) {
      expect(env, name).not.toHaveProperty(name);
    }
    expect(env.HOME).toBe('/home/dev');
  });

  it('sets throwaway keys, the local region, the emulator endpoint and empty AWS config files', () => {
    // Act
    const env = localAwsEnv('http://127.0.0.1:4566', '/tmp/empty', caller);

    // Assess
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: THROWAWAY_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: THROWAWAY_CREDENTIALS.secretAccessKey,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ENDPOINT_URL: 'http://127.0.0.1:4566',
      AWS_CONFIG_FILE: '/tmp/empty',
      AWS_SHARED_CREDENTIALS_FILE: '/tmp/empty',
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    });
    expect(
      Object.keys(env)
        .filter((k) => k.startsWith('AWS_'))
        .sort(),
    ).toEqual([
      'AWS_ACCESS_KEY_ID',
      'AWS_CONFIG_FILE',
      'AWS_DEFAULT_REGION',
      'AWS_EC2_METADATA_DISABLED',
      'AWS_ENDPOINT_URL',
      'AWS_REGION',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SHARED_CREDENTIALS_FILE',
    ]);
  });

  it("puts the project's own executables (Node 24, cdk) first on PATH", () => {
    // Act
    const env = localAwsEnv('http://127.0.0.1:4566', '/tmp/empty', caller);

    // Assess
    expect(env.PATH).toBe([PROJECT_BIN, '/usr/bin'].join(path.delimiter));
  });
});

describe('parseDeployLocalArgs', () => {
  it('reads --destroy, --allow-non-loopback and every -c/--context pair, values with = included', () => {
    // Act
    const args = parseDeployLocalArgs([
      '--destroy',
      '-c',
      'stackName=Other',
      '--context',
      'auth=apiKey',
      '-c',
      'tag=a=b',
      '--allow-non-loopback',
    ]);

    // Assess
    expect(args).toEqual({
      destroy: true,
      allowNonLoopback: true,
      context: { stackName: 'Other', auth: 'apiKey', tag: 'a=b' },
    });
  });

  it.each([
    { value: '1', allowed: true },
    { value: 'true', allowed: false },
    { value: undefined, allowed: false },
  ])(
    'allows a non-loopback endpoint when DEPLOY_LOCAL_ALLOW_NON_LOOPBACK is $value: $allowed',
    ({ value, allowed }) => {
      // Act
      const args = parseDeployLocalArgs([], value === undefined ? {} : { DEPLOY_LOCAL_ALLOW_NON_LOOPBACK: value });

      // Assess
      expect(args).toEqual({ destroy: false, allowNonLoopback: allowed, context: {} });
    },
  );

  it.each([['--force'], ['-c'], ['-c', 'noequals'], ['deploy']])('refuses %j, listing what it takes', (...argv) => {
    // Act & Assess
    expect(() => parseDeployLocalArgs(argv)).toThrow(
      /^Unknown argument ".*"\. Use --destroy, --allow-non-loopback or -c key=value\.$/,
    );
  });
});
