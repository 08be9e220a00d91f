import { describe, expect, it } from 'vitest';
import { HELP, parseStartArgs } from '../../../local/start-args.js';

describe('npm start arguments and environment', () => {
  it('starts on port 3000, watching, in memory, with the state file qw reads', () => {
    // Act
    const command = parseStartArgs([], {});
    // Assess
    expect(command).toEqual({
      kind: 'start',
      options: {
        port: 3000,
        persist: false,
        watch: true,
        synth: 'auto',
        concurrencySetting: 'QW_CONCURRENCY',
        stateFile: 'local.json',
        hostEnv: {},
      },
    });
  });

  it('reads PORT, HOST, QW_PERSIST and QW_CONCURRENCY, and hands the environment on', () => {
    // Prepare
    const env = { PORT: '3001', HOST: '0.0.0.0', QW_PERSIST: '1', QW_CONCURRENCY: '8', PATH: '/bin' };
    // Act
    const command = parseStartArgs([], env);
    // Assess
    expect(command).toMatchObject({
      kind: 'start',
      options: { port: 3001, host: '0.0.0.0', persist: true, concurrency: 8, hostEnv: env },
    });
  });

  it('lets an argument win over the environment', () => {
    // Act
    const command = parseStartArgs(['--port', '4000', '--host', '127.0.0.2', '--no-persist'], {
      PORT: '3001',
      HOST: '0.0.0.0',
      QW_PERSIST: 'true',
    });
    // Assess
    expect(command).toMatchObject({ kind: 'start', options: { port: 4000, host: '127.0.0.2', persist: false } });
  });

  it('passes --no-watch, --stack, --app, --out and --synth through', () => {
    // Act
    const command = parseStartArgs(
      ['--no-watch', '--stack', 'Shop', '--app', 'tsx app.ts', '--out', 'out', '--synth', 'never'],
      {},
    );
    // Assess
    expect(command).toMatchObject({
      kind: 'start',
      options: { watch: false, stack: 'Shop', app: 'tsx app.ts', outDir: 'out', synth: 'never' },
    });
  });
});

describe('--state-dir', () => {
  it('keeps persisted state and the state file where it is told', () => {
    expect(parseStartArgs(['--persist', '--state-dir', '/tmp/qw-run'], {})).toMatchObject({
      kind: 'start',
      options: { persist: true, stateDir: '/tmp/qw-run', stateFile: 'local.json' },
    });
  });
});

describe('QW_FAULTS', () => {
  it('hands the faults to break on to the runtime', () => {
    const command = parseStartArgs([], { QW_FAULTS: 'sqs=0.1,seed=3' });
    expect(command).toMatchObject({
      kind: 'start',
      options: { faults: { dynamodb: 0, sqs: 0.1, crash: 0, hang: 0, seed: 3 } },
    });
  });

  it("turns submit on in the API's test-only variable, and keeps it out of the runtime's own faults", () => {
    const command = parseStartArgs([], { QW_FAULTS: 'submit=0.25,crash=0.1' });
    expect(command).toMatchObject({
      kind: 'start',
      options: {
        faults: { crash: 0.1, dynamodb: 0 },
        functionEnvironment: { QW_TEST_ONLY_CRASH_BETWEEN_STEPS: '0.25' },
      },
    });
  });
});

describe("npm start's usage errors", () => {
  it.each([
    { argv: ['--port', 'x'], env: {}, message: 'Port "x" is not a port number (0-65535).' },
    { argv: [], env: { PORT: '70000' }, message: 'Port "70000" is not a port number (0-65535).' },
    { argv: ['--synth', 'sometimes'], env: {}, message: '--synth must be auto, always or never.' },
    {
      argv: [],
      env: { QW_CONCURRENCY: '0' },
      message: 'QW_CONCURRENCY must be a whole number of at least 1, not "0".',
    },
    { argv: [], env: { QW_FAULTS: 'crash=5' }, message: 'QW_FAULTS: crash must be a share from 0 to 1, not "5".' },
    { argv: [], env: { QW_FAULTS: 'submit=2' }, message: 'QW_FAULTS: submit must be a share from 0 to 1, not "2".' },
    { argv: ['--log-format', 'yaml'], env: {}, message: '--log-format must be pretty or json, not "yaml".' },
  ])('refuses $argv $env with a message that says what is expected', ({ argv, env, message }) => {
    // Act
    const command = parseStartArgs(argv, env);
    // Assess
    expect(command).toEqual({ kind: 'usage-error', message });
  });

  it.each(['pretty', 'json'] as const)(
    'takes --log-format %s, and leaves the choice to the terminal without it',
    (format) => {
      // Act
      const chosen = parseStartArgs(['--log-format', format], {});
      const unset = parseStartArgs([], {});
      // Assess
      expect(chosen).toMatchObject({ kind: 'start', logFormat: format });
      expect(unset).not.toHaveProperty('logFormat');
      expect(HELP).toMatch(/--log-format <f> +How function logs print: pretty .* or\n +json/);
    },
  );

  it('answers an unknown option with the error and the help', () => {
    // Act
    const command = parseStartArgs(['--frobnicate'], {});
    // Assess
    expect(command.kind).toBe('usage-error');
    expect(command.kind === 'usage-error' && command.message).toMatch(/--frobnicate[\s\S]*Usage: npm start/);
  });

  it('asks for the help with -h and --help', () => {
    // Act, Assess
    expect(parseStartArgs(['-h'], {})).toEqual({ kind: 'help' });
    expect(parseStartArgs(['--help'], { PORT: 'x' })).toEqual({ kind: 'help' });
    expect(HELP).toMatch(/QW_CONCURRENCY/);
  });
});
