import { describe, expect, it, vi } from 'vitest';
import { CliError, EXIT } from '../../../cli/errors.js';
import { HELP } from '../../../cli/help.js';
import { main } from '../../../cli/main.js';
import type { ResolveTarget } from '../../../cli/targets/target.js';
import { captureIo, fakeTarget, jobView } from './fakes.js';

/** A resolveTarget the test can inspect, resolving to `target`. */
function resolving(target = fakeTarget(() => ({ status: 200, body: { ...jobView() } }))) {
  return { target, resolveTarget: vi.fn<ResolveTarget>(async () => target) };
}

describe('main', () => {
  it.each([
    { argv: [], exitCode: EXIT.USAGE },
    { argv: ['--help'], exitCode: EXIT.OK },
    { argv: ['help'], exitCode: EXIT.OK },
  ])(
    'prints the help on stdout for $argv and exits $exitCode, without looking for a target',
    async ({ argv, exitCode }) => {
      // Prepare
      const { io, stdout, stderr } = captureIo();
      const { resolveTarget } = resolving();

      // Act
      const code = await main(argv, io, { resolveTarget });

      // Assess
      expect(code).toBe(exitCode);
      expect(stdout()).toBe(HELP);
      expect(stderr()).toBe('');
      expect(resolveTarget).not.toHaveBeenCalled();
    },
  );

  it('documents every exit code in the help', () => {
    // Assess
    for (const code of Object.values(EXIT)) expect(HELP).toMatch(new RegExp(`(^|\\s)${code} [a-z-]`, 'm'));
  });

  describe.each([
    { name: 'an unknown command', argv: ['frobnicate'], message: 'Unknown command "frobnicate".' },
    { name: 'an unknown flag', argv: ['status', 'j', '--colour'], message: "Unknown option '--colour'" },
    {
      name: "another command's flag",
      argv: ['submit', 'simulate', '--payload', '{}', '--once'],
      message: 'submit takes no --once.',
    },
    { name: 'a missing argument', argv: ['dlq', 'list'], message: 'dlq list takes one argument: <type>.' },
    {
      name: 'a bad number',
      argv: ['watch', '--interval', 'often'],
      message: '--interval must be a positive number, not "often".',
    },
    {
      name: 'a move rate over the SQS limit',
      argv: ['dlq', 'redrive', 'simulate', '--max-per-second', '1000'],
      message: '--max-per-second must be a whole number from 1 to 500 (SQS move task limit).',
    },
    {
      name: 'an unknown --target',
      argv: ['watch', '--target', 'prod'],
      message: '--target must be local, emulator or aws, not "prod".',
    },
  ])('for $name', ({ argv, message }) => {
    it('exits 2 with the message and a hint on stderr, without looking for a target', async () => {
      // Prepare
      const { io, stdout, stderr } = captureIo();
      const { resolveTarget } = resolving();

      // Act
      const code = await main(argv, io, { resolveTarget });

      // Assess
      expect(code).toBe(EXIT.USAGE);
      expect(stderr()).toMatch(/^qw: .*\n {4}See qw --help\.\n$/);
      expect(stderr()).toContain(message);
      expect(stdout()).toBe('');
      expect(resolveTarget).not.toHaveBeenCalled();
    });

    it('with --json, writes one JSON error document on stderr', async () => {
      // Prepare
      const { io, stdout, stderr } = captureIo();

      // Act
      const code = await main([...argv, '--json'], io, resolving());

      // Assess
      expect(code).toBe(EXIT.USAGE);
      expect(stderr().endsWith('\n')).toBe(true);
      expect(stderr().trimEnd().split('\n')).toHaveLength(1);
      const document = JSON.parse(stderr()) as { error: { exitCode: number; message: string; hint: string } };
      expect(document).toEqual({
        error: { exitCode: EXIT.USAGE, message: expect.any(String), hint: 'See qw --help.' },
      });
      expect(document.error.message).toContain(message);
      expect(stdout()).toBe('');
    });
  });

  it('hands the target flags, the working directory and the environment to resolveTarget', async () => {
    // Prepare
    const { io } = captureIo({ cwd: '/work/app', env: { QW_API_KEY: 'k' } });
    const { resolveTarget } = resolving();

    // Act
    await main(['status', 'job-1', '--endpoint', 'http://127.0.0.1:4600', '--stack', 'Qw'], io, { resolveTarget });

    // Assess
    expect(resolveTarget).toHaveBeenCalledWith({
      endpoint: 'http://127.0.0.1:4600',
      stack: 'Qw',
      cwd: '/work/app',
      env: { QW_API_KEY: 'k' },
    });
  });

  it('runs the command on the resolved target and closes it', async () => {
    // Prepare
    const { io, stdout } = captureIo();
    const { target, resolveTarget } = resolving(
      fakeTarget(() => ({ status: 200, body: { ...jobView({ jobId: 'job-7', status: 'succeeded', attempts: 1 }) } })),
    );

    // Act
    const code = await main(['status', 'job-7'], io, { resolveTarget });

    // Assess
    expect(code).toBe(EXIT.OK);
    expect(target.calls).toEqual([{ method: 'GET', path: '/jobs/job-7' }]);
    expect(stdout()).toMatch(/^status {3}succeeded$/m);
    expect(target.closed()).toBe(true);
  });

  it('closes the target when the command fails, and exits with the failure code', async () => {
    // Prepare
    const { io, stderr } = captureIo();
    const { target, resolveTarget } = resolving(fakeTarget(() => ({ status: 404, body: {} })));

    // Act
    const code = await main(['status', 'gone'], io, { resolveTarget });

    // Assess
    expect(code).toBe(EXIT.NOT_FOUND);
    expect(stderr()).toBe('qw: No job "gone" on the fake target (never submitted, or expired).\n');
    expect(target.closed()).toBe(true);
  });

  it('reports a target that cannot be found with its exit code and hint', async () => {
    // Prepare
    const { io, stderr } = captureIo();
    const resolveTarget: ResolveTarget = async () => {
      throw new CliError(EXIT.NO_TARGET, 'No local runtime is running.', 'Start one with `npm start`.');
    };

    // Act
    const code = await main(['watch', '--once'], io, { resolveTarget });

    // Assess
    expect(code).toBe(EXIT.NO_TARGET);
    expect(stderr()).toBe('qw: No local runtime is running.\n    Start one with `npm start`.\n');
  });

  it('turns an unexpected error into exit 1 with its message, as JSON with --json', async () => {
    // Prepare
    const { io, stderr } = captureIo();
    const resolveTarget: ResolveTarget = async () => {
      throw new TypeError('fetch failed');
    };

    // Act
    const code = await main(['watch', '--once', '--json'], io, { resolveTarget });

    // Assess
    expect(code).toBe(EXIT.ERROR);
    expect(JSON.parse(stderr())).toEqual({ error: { exitCode: EXIT.ERROR, message: 'fetch failed' } });
  });

  it('submits the payload read from stdin with @- and prints the next command to run', async () => {
    // Prepare
    const { io, stdout } = captureIo({ stdin: '{"sleepMs":5}' });
    const { target, resolveTarget } = resolving(
      fakeTarget(() => ({ status: 202, body: { jobId: 'job-9', status: 'queued' } })),
    );

    // Act
    const code = await main(['submit', 'simulate', '--payload', '@-', '--idempotency-key', 'k1'], io, {
      resolveTarget,
    });

    // Assess
    expect(code).toBe(EXIT.OK);
    expect(target.calls).toEqual([
      { method: 'POST', path: '/jobs', body: { type: 'simulate', payload: { sleepMs: 5 }, idempotencyKey: 'k1' } },
    ]);
    expect(stdout()).toBe('Submitted simulate job job-9 (queued).\n  qw status job-9\n');
  });

  it('exits 2 with a quoting hint for a payload that is not JSON, before calling the API', async () => {
    // Prepare
    const { io, stderr } = captureIo();
    const { target, resolveTarget } = resolving();

    // Act
    const code = await main(['submit', 'simulate', '--payload', '{sleepMs:1}'], io, { resolveTarget });

    // Assess
    expect(code).toBe(EXIT.USAGE);
    expect(stderr()).toMatch(/^qw: The payload is not JSON: .*\n {4}Quote it: --payload '\{"sleepMs":100\}'/);
    expect(target.calls).toEqual([]);
  });

  it.each([
    {
      status: 400,
      error: { code: 'VALIDATION_FAILED', message: 'bad payload', details: [{ path: 'nope' }] },
      exitCode: EXIT.REFUSED,
    },
    { status: 400, error: { code: 'UNKNOWN_JOB_TYPE', message: 'no such type' }, exitCode: EXIT.NOT_FOUND },
    { status: 413, error: { code: 'PAYLOAD_TOO_LARGE', message: 'too big' }, exitCode: EXIT.REFUSED },
  ])(
    'exits $exitCode when the API answers $status $error.code to a submission',
    async ({ status, error, exitCode }) => {
      // Prepare
      const { io, stderr } = captureIo();

      // Act
      const code = await main(
        ['submit', 'simulate', '--payload', '{}'],
        io,
        resolving(fakeTarget(() => ({ status, body: { error } }))),
      );

      // Assess
      expect(code).toBe(exitCode);
      expect(stderr()).toContain(`qw: The API rejected the job (${status} ${error.code}): ${error.message}`);
    },
  );
});
