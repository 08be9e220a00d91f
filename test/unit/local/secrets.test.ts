import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THROWAWAY_CREDENTIALS } from '../../../local/core/local-aws.js';
import type { SecretDef } from '../../../local/core/plan.js';
import { GenerateSecretError, generateSecretString } from '../../../local/core/secrets/generate.js';
import { SecretStore } from '../../../local/core/secrets/secret-store.js';
import { type SecretsServer, startSecretsServer } from '../../../local/core/secrets/secrets-server.js';

const ARN = 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:Shop-Signing-abc123';
const generated = (generate: SecretDef['generate'] = {}): SecretDef => ({
  logicalId: 'Signing',
  name: 'Shop-Signing',
  arn: ARN,
  generate,
});
const stateFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'qw-secrets-')), 'secrets.json');

describe('generated secret values', () => {
  it('are 32 characters of letters, digits and punctuation, one of each at least, by default', () => {
    const value = generateSecretString({});

    expect(value).toHaveLength(32);
    for (const kind of [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/]) expect(value).toMatch(kind);
  });

  it('leave out what the template excludes', () => {
    const value = generateSecretString({
      PasswordLength: 200,
      ExcludeCharacters: 'abc',
      ExcludeUppercase: true,
      ExcludePunctuation: true,
    });

    expect(value).toMatch(/^[d-z0-9]{200}$/);
  });

  it('draw from the base64 alphabet alone for the stack signing secret, 64 characters', () => {
    const notBase64 = '!"#$%&\'()*,-.:;<=>?@[\\]^_`{|}~';

    const value = generateSecretString({
      PasswordLength: 64,
      ExcludeCharacters: notBase64,
      RequireEachIncludedType: false,
    });

    expect(value).toMatch(/^[A-Za-z0-9+/]{64}$/);
    expect(Buffer.from(value, 'base64')).toHaveLength(48);
  });

  it('go into the template JSON under the generated key', () => {
    const value = JSON.parse(
      generateSecretString({
        SecretStringTemplate: '{"user":"app"}',
        GenerateStringKey: 'password',
        PasswordLength: 12,
      }),
    );

    expect(value).toEqual({ user: 'app', password: expect.stringMatching(/^.{12}$/) });
  });

  it.each([
    [{ PasswordLength: 0 }, /PasswordLength is 0/],
    [{ PasswordLength: 3 }, /cannot hold one character of each of 4 types/],
    [
      { ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true },
      /every character/,
    ],
    [{ SecretStringTemplate: '{}' }, /needs GenerateStringKey/],
  ])('are refused for an impossible GenerateSecretString %j', (spec, message) => {
    expect(() => generateSecretString(spec)).toThrow(GenerateSecretError);
    expect(() => generateSecretString(spec)).toThrow(message);
  });
});

describe('the secret store', () => {
  it('generates a value once and keeps it in its file, readable by its owner only, across restarts', () => {
    // Prepare
    const file = stateFile();

    // Act
    const first = new SecretStore(file).apply([generated()]);
    const restarted = new SecretStore(file);
    const again = restarted.apply([generated()]);

    // Assess
    expect(first.map((s) => s.name)).toEqual(['Shop-Signing']);
    expect(again).toEqual([]);
    expect(restarted.get(ARN)?.value).toBe(first[0]?.value);
    expect(restarted.get('Shop-Signing')?.value).toBe(first[0]?.value);
    expect(JSON.parse(readFileSync(file, 'utf8'))['Shop-Signing'].value).toBe(first[0]?.value);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('generates the value again when the template changes how, as a deploy would', () => {
    const file = stateFile();
    const [before] = new SecretStore(file).apply([generated({ PasswordLength: 20 })]);

    const [after] = new SecretStore(file).apply([generated({ PasswordLength: 40 })]);

    expect(after?.value).toHaveLength(40);
    expect(after?.value).not.toBe(before?.value);
  });

  it("serves a template's own value without keeping it", () => {
    const file = stateFile();
    const store = new SecretStore(file);

    const fresh = store.apply([{ logicalId: 'Fixed', name: 'fixed', arn: `${ARN}x`, secretString: 'v1' }]);

    expect(fresh).toEqual([]);
    expect(store.get('fixed')?.value).toBe('v1');
    expect(() => readFileSync(file)).toThrow();
  });
});

describe('the Secrets Manager endpoint', () => {
  let server: SecretsServer;
  let client: SecretsManagerClient;
  let value: string | undefined;
  beforeAll(async () => {
    const store = new SecretStore();
    value = store.apply([generated()])[0]?.value;
    server = await startSecretsServer(store);
    client = new SecretsManagerClient({
      region: 'eu-west-1',
      endpoint: server.endpoint,
      credentials: { ...THROWAWAY_CREDENTIALS },
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  it.each([
    ['ARN', ARN],
    ['name', 'Shop-Signing'],
  ])('answers the AWS SDK GetSecretValue by %s', async (_by, secretId) => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));

    expect(out).toMatchObject({
      ARN,
      Name: 'Shop-Signing',
      SecretString: value,
      VersionStages: ['AWSCURRENT'],
      VersionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(out.CreatedDate).toBeInstanceOf(Date);
  });

  it('answers ResourceNotFoundException for an unknown secret and for a stage other than AWSCURRENT', async () => {
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: ARN, VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
