import { describe, expect, it } from 'vitest';
import { parseInvocation } from '../../../cli/args.js';
import { CliError, EXIT } from '../../../cli/errors.js';

/** The USAGE error `argv` is refused with. */
function refusal(argv: readonly string[]): CliError {
  try {
    parseInvocation(argv);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('parseInvocation', () => {
  describe.each([
    { argv: [], exitCode: EXIT.USAGE },
    { argv: ['help'], exitCode: EXIT.OK },
    { argv: ['--help'], exitCode: EXIT.OK },
    { argv: ['-h'], exitCode: EXIT.OK },
    { argv: ['submit', '--help'], exitCode: EXIT.OK },
    { argv: ['frobnicate', '-h'], exitCode: EXIT.OK },
  ])('for $argv', ({ argv, exitCode }) => {
    it(`asks for the help text, exiting ${exitCode}`, () => {
      // Act
      const invocation = parseInvocation(argv);

      // Assess
      expect(invocation).toEqual({ kind: 'help', exitCode });
    });
  });

  describe.each([
    { name: 'an unknown command', argv: ['frobnicate'], message: 'Unknown command "frobnicate".' },
    { name: 'dlq without a subcommand', argv: ['dlq'], message: 'Unknown command "dlq".' },
    { name: 'an unknown dlq subcommand', argv: ['dlq', 'drop', 'simulate'], message: 'Unknown command "dlq drop".' },
    { name: 'a property of Object as a command', argv: ['toString'], message: 'Unknown command "toString".' },
    { name: 'a flag no command has', argv: ['watch', '--nope'], message: /Unknown option '--nope'/ },
    { name: "another command's flag", argv: ['watch', '--yes'], message: 'watch takes no --yes.' },
    {
      name: 'a dlq flag on another dlq command',
      argv: ['dlq', 'list', 'simulate', '--yes'],
      message: 'dlq list takes no --yes.',
    },
    { name: 'a string flag without its value', argv: ['submit', 'simulate', '--payload'], message: /--payload/ },
    { name: 'a missing job id', argv: ['status'], message: 'status takes one argument: <jobId>.' },
    { name: 'two job ids', argv: ['status', 'a', 'b'], message: 'status takes one argument: <jobId>.' },
    { name: 'a missing job type', argv: ['dlq', 'purge'], message: 'dlq purge takes one argument: <type>.' },
    {
      name: 'submit without a payload',
      argv: ['submit', 'simulate'],
      message: 'submit needs --payload JSON or --payload @file.',
    },
    { name: 'watch with an argument', argv: ['watch', 'simulate'], message: 'watch takes no arguments.' },
    {
      name: 'a zero timeout',
      argv: ['status', 'j', '--timeout', '0'],
      message: '--timeout must be a positive number, not "0".',
    },
    {
      name: 'a timeout that is not a number',
      argv: ['status', 'j', '--timeout', 'soon'],
      message: '--timeout must be a positive number, not "soon".',
    },
    {
      name: 'a negative interval',
      argv: ['watch', '--interval=-1'],
      message: /--interval must be a positive number/,
    },
    {
      name: 'an infinite max',
      argv: ['dlq', 'list', 'simulate', '--max', 'Infinity'],
      message: '--max must be a positive number, not "Infinity".',
    },
    {
      name: 'a move rate over 500',
      argv: ['dlq', 'redrive', 'simulate', '--max-per-second', '501'],
      message: '--max-per-second must be a whole number from 1 to 500 (SQS move task limit).',
    },
    {
      name: 'a fractional move rate',
      argv: ['dlq', 'redrive', 'simulate', '--max-per-second', '1.5'],
      message: /whole number from 1 to 500/,
    },
    {
      name: 'a zero move rate',
      argv: ['dlq', 'redrive', 'simulate', '--max-per-second', '0'],
      message: '--max-per-second must be a positive number, not "0".',
    },
    {
      name: 'an unknown target kind',
      argv: ['watch', '--target', 'cloud'],
      message: '--target must be local, emulator or aws, not "cloud".',
    },
    {
      name: 'an empty target kind',
      argv: ['watch', '--target', ''],
      message: '--target must be local, emulator or aws, not "".',
    },
  ])('for $name', ({ argv, message }) => {
    it('is a usage error that says what is wrong and points at --help', () => {
      // Act
      const error = refusal(argv);

      // Assess
      expect(error.exitCode).toBe(EXIT.USAGE);
      if (typeof message === 'string') expect(error.message).toBe(message);
      else expect(error.message).toMatch(message);
      expect(error.hint).toBe('See qw --help.');
    });
  });

  it('checks the arguments before --target, so one run reports the first mistake on the line', () => {
    // Act
    const error = refusal(['status', '--target', 'cloud']);

    // Assess
    expect(error.message).toBe('status takes one argument: <jobId>.');
  });

  it.each([
    {
      line: 'qw submit simulate --payload {}',
      argv: ['submit', 'simulate', '--payload', '{}'],
      command: { name: 'submit', type: 'simulate', payload: '{}', wait: false, timeoutSeconds: 300 },
    },
    {
      line: 'qw submit simulate --payload @- --wait --timeout 2.5 --idempotency-key k1',
      argv: ['submit', 'simulate', '--payload', '@-', '--wait', '--timeout', '2.5', '--idempotency-key', 'k1'],
      command: {
        name: 'submit',
        type: 'simulate',
        payload: '@-',
        wait: true,
        timeoutSeconds: 2.5,
        idempotencyKey: 'k1',
      },
    },
    {
      line: 'qw status job-1',
      argv: ['status', 'job-1'],
      command: { name: 'status', jobId: 'job-1', wait: false, timeoutSeconds: 300 },
    },
    { line: 'qw watch', argv: ['watch'], command: { name: 'watch', once: false, intervalSeconds: 2 } },
    {
      line: 'qw watch --once --interval 0.5',
      argv: ['watch', '--once', '--interval', '0.5'],
      command: { name: 'watch', once: true, intervalSeconds: 0.5 },
    },
    {
      line: 'qw dlq list simulate',
      argv: ['dlq', 'list', 'simulate'],
      command: { name: 'dlq list', type: 'simulate', max: 100 },
    },
    {
      line: 'qw dlq redrive simulate',
      argv: ['dlq', 'redrive', 'simulate'],
      command: { name: 'dlq redrive', type: 'simulate' },
    },
    {
      line: 'qw dlq redrive simulate --max-per-second 500',
      argv: ['dlq', 'redrive', 'simulate', '--max-per-second', '500'],
      command: { name: 'dlq redrive', type: 'simulate', maxPerSecond: 500 },
    },
    {
      line: "qw dlq redrive simulate --max-per-second ''",
      argv: ['dlq', 'redrive', 'simulate', '--max-per-second', ''],
      command: { name: 'dlq redrive', type: 'simulate' },
    },
    {
      line: 'qw dlq purge simulate -y',
      argv: ['dlq', 'purge', 'simulate', '-y'],
      command: { name: 'dlq purge', type: 'simulate', yes: true },
    },
  ])('reads $line with its defaults filled in', ({ argv, command }) => {
    // Act
    const invocation = parseInvocation(argv);

    // Assess
    expect(invocation).toEqual({ kind: 'run', command, json: false, target: {} });
  });

  it('collects the target flags, and --json, whatever their position', () => {
    // Act
    const invocation = parseInvocation([
      '--json',
      '--target',
      'aws',
      'status',
      '--endpoint',
      'http://127.0.0.1:4566',
      'job-1',
      '--region',
      'eu-west-1',
      '--profile',
      'ops',
      '--stack',
      'Qw',
      '--api-key',
      'secret',
      '--state-file',
      'state.json',
    ]);

    // Assess
    expect(invocation).toEqual({
      kind: 'run',
      command: { name: 'status', jobId: 'job-1', wait: false, timeoutSeconds: 300 },
      json: true,
      target: {
        target: 'aws',
        endpoint: 'http://127.0.0.1:4566',
        region: 'eu-west-1',
        profile: 'ops',
        stack: 'Qw',
        apiKey: 'secret',
        stateFile: 'state.json',
      },
    });
  });
});
