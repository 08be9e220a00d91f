import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/errors.js';
import { chosenKind, findStateFile, resolveTarget } from '../../../cli/targets/resolve.js';
import type { Target } from '../../../cli/targets/target.js';
import { DEFAULT_RETENTION_DAYS } from '../../../lambda/shared/config.js';
import type { LocalState } from '../../../ops/local-state.js';
import { JOB_TYPES } from './fakes.js';

const cfn = mockClient(CloudFormationClient);
const dir = mkdtempSync(path.join(tmpdir(), 'qw-unit-targets-'));

/** A stand-in for a runtime's API and an emulator's REST API: answers every request with `{}` and records it. */
let server: Server;
let base: string;
const seen: { url?: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    const body =
      req.url === '/ui/api/overview' ? { queues: [{ type: 'simulate', oldestAgeSeconds: 3, jobsPerSecond: 2 }] } : {};
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  cfn.reset();
});

/** Opens a target with `flags`, closing it after `use`. */
async function withTarget<T>(options: Parameters<typeof resolveTarget>[0], use: (target: Target) => Promise<T>) {
  const target = await resolveTarget(options);
  try {
    return await use(target);
  } finally {
    target.close();
  }
}

describe('chosenKind', () => {
  it.each([
    { flags: {}, kind: undefined },
    { flags: { target: 'local' as const, endpoint: 'http://127.0.0.1:4566' }, kind: 'local' },
    { flags: { target: 'aws' as const, endpoint: 'http://127.0.0.1:4566' }, kind: 'aws' },
    { flags: { endpoint: 'http://127.0.0.1:4566', region: 'eu-west-1' }, kind: 'emulator' },
    { flags: { region: 'eu-west-1' }, kind: 'aws' },
    { flags: { profile: 'ops' }, kind: 'aws' },
    { flags: { stack: 'Qw' }, kind: 'aws' },
    { flags: { stateFile: 'x.json', apiKey: 'k' }, kind: undefined },
  ])('chooses $kind for $flags', ({ flags, kind }) => {
    // Act & Assess
    expect(chosenKind(flags)).toBe(kind);
  });
});

describe('findStateFile', () => {
  it('finds .qw/local.json in the nearest parent directory that has one', () => {
    // Prepare
    const project = path.join(dir, 'project');
    mkdirSync(path.join(project, '.qw'), { recursive: true });
    mkdirSync(path.join(project, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(project, '.qw', 'local.json'), '{}');

    // Act
    const found = findStateFile(path.join(project, 'a', 'b'));

    // Assess
    expect(found).toBe(path.join(project, '.qw', 'local.json'));
  });
});

describe('resolveTarget', () => {
  it('exits 3 when no target is named and no local runtime runs, saying how to start one', async () => {
    // Act
    const error = await resolveTarget({ cwd: path.join(dir, 'empty'), env: {} }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.NO_TARGET,
      message: 'No local runtime is running, and no other target was given.',
      hint: expect.stringMatching(/npm start.*--target emulator/),
    });
  });

  it('exits 3 for --target local without a state file, naming the file it looked for', async () => {
    // Prepare
    const missing = path.join(dir, 'missing.json');

    // Act
    const error = await resolveTarget({ target: 'local', cwd: dir, env: { QW_STATE_FILE: missing } }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toMatchObject({ exitCode: EXIT.NO_TARGET, message: `No local runtime found (${missing}).` });
  });

  describe('on the local runtime', () => {
    /** A state file for a runtime served by the test's server, in this process. */
    function stateFile(changes: Partial<LocalState> = {}): string {
      const file = path.join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
      const state: LocalState = {
        version: 1,
        pid: process.pid,
        url: base,
        stackName: 'QwLocal',
        region: 'us-east-1',
        sqsEndpoint: base,
        dynamodbEndpoint: base,
        tableName: 'QwLocal-jobs',
        startedAt: '2026-01-01T00:00:00.000Z',
        types: JOB_TYPES.map((t) => ({ ...t, queueArn: 'arn:q', dlqArn: 'arn:d', maxAttempts: 3 })),
        ...changes,
      };
      writeFileSync(file, JSON.stringify(state));
      return file;
    }

    it("opens the runtime the state file names, with its retention, its pollers' rates and its API unsigned", async () => {
      // Prepare
      const file = stateFile({ retentionDays: 7 });

      // Act
      const seenTarget = await withTarget({ stateFile: file, cwd: dir, env: {} }, async (target) => ({
        kind: target.kind,
        description: target.description,
        retentionDays: target.retentionDays,
        tableName: target.tableName,
        manualRedrive: target.manualRedrive,
        rates: Object.fromEntries(await target.rates()),
        api: await target.api('GET', '/jobs/j1'),
      }));

      // Assess
      expect(seenTarget).toEqual({
        kind: 'local',
        description: `local runtime at ${base} (stack QwLocal)`,
        retentionDays: 7,
        tableName: 'QwLocal-jobs',
        manualRedrive: true,
        rates: { simulate: { type: 'simulate', oldestAgeSeconds: 3, jobsPerSecond: 2 } },
        api: { status: 200, body: {} },
      });
      const call = seen.find((s) => s.url === '/jobs/j1');
      expect(call?.headers.authorization).toBeUndefined();
    });

    it('assumes the default retention when the state file does not say', async () => {
      // Act
      const days = await withTarget({ stateFile: stateFile(), cwd: dir, env: {} }, async (t) => t.retentionDays);

      // Assess
      expect(days).toBe(DEFAULT_RETENTION_DAYS);
    });

    it('exits 3 for a state file whose runtime is gone', async () => {
      // Prepare: a pid that cannot exist.
      const file = stateFile({ pid: 2 ** 22 + 1 });

      // Act
      const error = await resolveTarget({ stateFile: file, cwd: dir, env: {} }).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({
        exitCode: EXIT.NO_TARGET,
        message: `The local runtime at ${base} (pid ${2 ** 22 + 1}) is not running.`,
        hint: expect.stringMatching(/npm start/),
      });
    });
  });

  describe('on an emulator or AWS', () => {
    function deployed(outputs: Record<string, string>) {
      cfn.on(DescribeStacksCommand).resolves({
        Stacks: [
          {
            StackName: 'Qw',
            CreationTime: new Date(),
            StackStatus: 'CREATE_COMPLETE',
            Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      });
      cfn.on(DescribeStackResourcesCommand).resolves({
        StackResources: [
          {
            LogicalResourceId: 'Api',
            PhysicalResourceId: 'rest42',
            ResourceType: 'AWS::ApiGateway::RestApi',
            Timestamp: new Date(),
            ResourceStatus: 'CREATE_COMPLETE',
          },
        ],
      });
    }
    const queues = {
      QueueUrlSimulate: 'http://127.0.0.1:4566/000000000000/Qw-simulate',
      DlqUrlSimulate: 'http://127.0.0.1:4566/000000000000/Qw-simulate-dlq',
    };

    it('calls the API on the emulator by its path form, SigV4-signed, and reads the retention from the stack', async () => {
      // Prepare
      deployed({
        ...queues,
        ApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/v1/',
        JobTableName: 'Qw-jobs',
        JobRetentionDays: '3',
      });

      // Act
      const opened = await withTarget({ endpoint: `${base}/`, stack: 'Qw', cwd: dir, env: {} }, async (t) => ({
        kind: t.kind,
        description: t.description,
        region: t.region,
        retentionDays: t.retentionDays,
        rates: Object.fromEntries(await t.rates()),
        api: await t.api('GET', '/jobs/j1'),
      }));

      // Assess
      expect(opened).toEqual({
        kind: 'emulator',
        description: `stack Qw on the emulator at ${base}`,
        region: 'us-east-1',
        retentionDays: 3,
        rates: { simulate: { oldestAgeSeconds: null, jobsPerSecond: null } },
        api: { status: 200, body: {} },
      });
      const call = seen.find((s) => s.url === '/restapis/rest42/v1/_user_request_/jobs/j1');
      expect(call?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/execute-api\//);
    });

    it('finds the emulator from AWS_ENDPOINT_URL in the environment with --target emulator', async () => {
      // Prepare
      deployed({ ...queues, ApiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com/v1/', JobTableName: 'Qw-jobs' });

      // Act
      const description = await withTarget(
        { target: 'emulator', cwd: dir, env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:4999' } },
        async (t) => t.description,
      );

      // Assess
      expect(description).toBe('stack QueueWorkers on the emulator at http://127.0.0.1:4999');
    });

    it('exits 3 for a stack on the emulator whose ApiUrl is not an API Gateway URL', async () => {
      // Prepare
      deployed({ ...queues, ApiUrl: 'http://example.test/', JobTableName: 'Qw-jobs' });

      // Act
      const error = await resolveTarget({ endpoint: base, stack: 'Qw', cwd: dir, env: {} }).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({
        exitCode: EXIT.NO_TARGET,
        message: `Stack "Qw" on the emulator at ${base}: "http://example.test/" is not an API Gateway invoke URL.`,
      });
    });

    it('on AWS, sends the API key instead of signing, to the ApiUrl the stack names', async () => {
      // Prepare
      deployed({ ...queues, ApiUrl: `${base}/v1/`, JobTableName: 'Qw-jobs' });

      // Act
      const opened = await withTarget(
        { target: 'aws', stack: 'Qw', cwd: dir, env: { AWS_REGION: 'eu-west-1', QW_API_KEY: 'k1' } },
        async (t) => ({
          description: t.description,
          region: t.region,
          manualRedrive: t.manualRedrive,
          api: await t.api('GET', '/jobs/j1'),
        }),
      );

      // Assess
      expect(opened).toEqual({
        description: 'stack Qw in eu-west-1',
        region: 'eu-west-1',
        manualRedrive: false,
        api: { status: 200, body: {} },
      });
      const call = seen.find((s) => s.url === '/v1/jobs/j1');
      expect(call?.headers['x-api-key']).toBe('k1');
      expect(call?.headers.authorization).toBeUndefined();
    });
  });
});
