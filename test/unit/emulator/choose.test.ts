import { describe, expect, it, vi } from 'vitest';
import { chooseEmulator } from '../../../emulator/localstack.js';

describe('chooseEmulator', () => {
  it.each([
    { env: {}, docker: true, chosen: 'ministack' },
    { env: { LOCALSTACK_AUTH_TOKEN: 'tok' }, docker: true, chosen: 'localstack' },
    { env: { LOCALSTACK_AUTH_TOKEN: 'tok' }, docker: false, chosen: 'ministack' },
    { env: { LOCALSTACK_AUTH_TOKEN: '' }, docker: true, chosen: 'ministack' },
    { env: { EMULATOR: 'ministack', LOCALSTACK_AUTH_TOKEN: 'tok' }, docker: true, chosen: 'ministack' },
    { env: { EMULATOR: 'localstack' }, docker: false, chosen: 'localstack' },
    { env: { EMULATOR: 'moto' }, docker: true, chosen: 'ministack' },
  ])('runs $chosen for $env when Docker works is $docker', ({ env, docker, chosen }) => {
    // Act & Assess
    expect(chooseEmulator(env, () => docker)).toBe(chosen);
  });

  it('asks Docker only when there is a LocalStack token and EMULATOR names none', () => {
    // Prepare
    const hasDocker = vi.fn(() => true);

    // Act
    chooseEmulator({}, hasDocker);
    chooseEmulator({ EMULATOR: 'localstack', LOCALSTACK_AUTH_TOKEN: 'tok' }, hasDocker);

    // Assess
    expect(hasDocker).not.toHaveBeenCalled();
  });
});
