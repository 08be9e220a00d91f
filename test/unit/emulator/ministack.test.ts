import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ministackEnv, pinnedMinistackVersion } from '../../../emulator/ministack.js';
import { COMPOSE_FILE, PROJECT_BIN, PROJECT_ROOT, REQUIREMENTS_FILE, VENV_DIR } from '../../../emulator/paths.js';

describe('ministackEnv', () => {
  const caller: NodeJS.ProcessEnv = {
    HOME: '/home/dev',
    PATH: '/usr/bin',
    NODE_PATH: '/elsewhere/node_modules',
    AWS_PROFILE: 'production',
    AWS_ACCESS_KEY_ID: 'AKIAREAL',
    AWS_ENDPOINT_URL: 'https://sqs.us-east-1.amazonaws.com',
  };

  it("drops the caller's AWS_* variables and NODE_PATH, so nothing real leaks into the functions", () => {
    // Act
    const env = ministackEnv(4566, caller);

    // Assess
    expect(Object.keys(env).filter((k) => k.startsWith('AWS_'))).toEqual([]);
    expect(env.NODE_PATH).toBe(path.join(PROJECT_ROOT, 'node_modules'));
    expect(env.HOME).toBe('/home/dev');
  });

  it('binds to 127.0.0.1 on the given port and hands out URLs for 127.0.0.1', () => {
    // Act
    const env = ministackEnv(4600, caller);

    // Assess
    expect(env).toMatchObject({ BIND_HOST: '127.0.0.1', GATEWAY_PORT: '4600', MINISTACK_HOST: '127.0.0.1' });
  });

  it("puts the project's Node 24 first on PATH, then the venv, then the caller's PATH", () => {
    // Act
    const env = ministackEnv(4566, caller);

    // Assess
    const [first, second, ...rest] = (env.PATH ?? '').split(path.delimiter);
    expect(first).toBe(PROJECT_BIN);
    expect(second?.startsWith(VENV_DIR)).toBe(true);
    expect(rest).toEqual(['/usr/bin']);
  });
});

describe('pinnedMinistackVersion', () => {
  it('is the version emulator/requirements.txt pins, the same as the compose file image', () => {
    // Act
    const version = pinnedMinistackVersion();

    // Assess
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(readFileSync(REQUIREMENTS_FILE, 'utf8')).toContain(`ministack==${version}\n`);
    expect(readFileSync(COMPOSE_FILE, 'utf8')).toContain(`ministack:${version}`);
  });
});
