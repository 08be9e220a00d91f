// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Fn::Sub strings use CloudFormation's ${...} syntax.
import { describe, expect, it } from 'vitest';
import { nodeFunction, planOf } from './fixtures.js';

describe('reading secrets', () => {
  it('gives each secret a name and an ARN, with its value or how to generate it, and resolves references to it', () => {
    // Act
    const plan = planOf({
      Signing: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: { GenerateSecretString: { PasswordLength: 64, ExcludeCharacters: '"@' } },
      },
      Fixed: {
        Type: 'AWS::SecretsManager::Secret',
        Properties: { Name: 'shop/fixed', SecretString: { 'Fn::Sub': 'k-${AWS::Region}' } },
      },
      Bare: { Type: 'AWS::SecretsManager::Secret' },
      Handler: nodeFunction({
        Environment: { Variables: { SECRET_ARN: { Ref: 'Signing' }, SECRET_ID: { 'Fn::GetAtt': ['Fixed', 'Id'] } } },
      }),
    });

    // Assess
    expect(plan.secrets).toEqual([
      {
        logicalId: 'Signing',
        name: 'Shop-Signing',
        arn: expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:000000000000:secret:Shop-Signing-[a-z0-9]{6}$/),
        generate: { PasswordLength: 64, ExcludeCharacters: '"@' },
      },
      {
        logicalId: 'Fixed',
        name: 'shop/fixed',
        arn: expect.stringMatching(/:secret:shop\/fixed-[a-z0-9]{6}$/),
        secretString: 'k-eu-west-1',
      },
      { logicalId: 'Bare', name: 'Shop-Bare', arn: expect.stringContaining(':secret:Shop-Bare-'), generate: {} },
    ]);
    expect(plan.functions[0]?.environment).toEqual({
      SECRET_ARN: plan.secrets[0]?.arn,
      SECRET_ID: plan.secrets[1]?.arn,
    });
    expect(plan.notes.filter((n) => n.includes('not emulated'))).toEqual([]);
  });

  it('gives a secret the same ARN on every start', () => {
    const read = () => planOf({ Signing: { Type: 'AWS::SecretsManager::Secret' } }).secrets[0]?.arn;

    expect(read()).toBe(read());
  });
});
