import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../cli/errors.js';
import { getJob, printJob, waitForJob } from '../../../cli/jobs.js';
import { captureIo, fakeTarget, JOB_TYPES, jobSequence, jobView } from './fakes.js';

describe('printJob', () => {
  it('prints the job as aligned lines, with its result', () => {
    // Prepare
    const { io, stdout } = captureIo();

    // Act
    printJob(io, jobView({ status: 'succeeded', attempts: 2, result: { attempt: 2 } }));

    // Assess
    expect(stdout()).toBe(
      [
        'job      job-1',
        'type     simulate',
        'status   succeeded',
        'attempts 2',
        'created  2026-01-01T00:00:00.000Z',
        'updated  2026-01-01T00:00:00.000Z',
        'result   {"attempt":2}',
        '',
      ].join('\n'),
    );
  });

  it('prints the error of a failed job, and no result line when there is none', () => {
    // Prepare
    const { io, stdout } = captureIo();

    // Act
    printJob(io, jobView({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE', message: 'boom' } }));

    // Assess
    expect(stdout()).toMatch(/^error {4}NON_RETRYABLE: boom\n$/m);
    expect(stdout()).not.toMatch(/^result/m);
  });
});

describe('getJob', () => {
  it.each([
    { status: 404, exitCode: EXIT.NOT_FOUND, message: /No job "job-1" on the fake target/ },
    { status: 500, exitCode: EXIT.ERROR, message: /Reading job job-1 failed \(500\): HTTP 500/ },
    { status: 429, exitCode: EXIT.REFUSED, message: /Reading job job-1 failed \(429\)/ },
  ])('exits $exitCode when the API answers $status', async ({ status, exitCode, message }) => {
    // Prepare
    const target = fakeTarget(() => ({ status, body: {} }));

    // Act
    const error = await getJob(target, 'job-1').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode, message: expect.stringMatching(message) });
  });

  it('encodes the job id into the path', async () => {
    // Prepare
    const target = fakeTarget(() => ({ status: 200, body: { ...jobView() } }));

    // Act
    await getJob(target, 'a/b c');

    // Assess
    expect(target.calls[0]?.path).toBe('/jobs/a%2Fb%20c');
  });
});

describe('waitForJob', () => {
  it('off a terminal, prints one progress line per change with the attempt out of maxAttempts, then the job', async () => {
    // Prepare
    const { io, stdout, stderr } = captureIo();
    const target = fakeTarget(
      jobSequence(
        jobView(),
        jobView({ status: 'running', attempts: 1 }),
        jobView({ status: 'running', attempts: 1 }),
        jobView({ status: 'retrying', attempts: 1, error: { code: 'RETRYABLE', message: 'try again' } }),
        jobView({ status: 'succeeded', attempts: 2, result: { attempt: 2 } }),
      ),
    );

    // Act
    const code = await waitForJob(target, io, 'job-1', { timeoutSeconds: 60, json: false });

    // Assess
    expect(code).toBe(EXIT.OK);
    const lines = stderr().split('\n');
    expect(lines.map((l) => l.replace(/^ +\d+\.\d s {2}/, ''))).toEqual([
      'queued · not started',
      'running · attempt 1/3',
      'retrying · attempt 1/3 · last error RETRYABLE: try again',
      'succeeded · attempt 2/3',
      '',
    ]);
    expect(lines[0]).toMatch(/^ {5}0\.\d s {2}queued/);
    expect(stderr()).not.toContain('\r');
    expect(stdout()).toMatch(/^status {3}succeeded$/m);
  });

  it('takes maxAttempts from the target when it knows it up front, without asking SQS', async () => {
    // Prepare
    const { io, stderr } = captureIo();
    const target = fakeTarget(jobSequence(jobView({ status: 'succeeded', attempts: 1 })), {
      types: JOB_TYPES.map((t) => ({ ...t, maxAttempts: 5 })),
      jobType: () => Promise.reject(new Error('SQS was asked')),
    });

    // Act
    await waitForJob(target, io, 'job-1', { timeoutSeconds: 60, json: false });

    // Assess
    expect(stderr()).toContain('succeeded · attempt 1/5');
  });

  it('shows the attempt alone when maxAttempts cannot be read', async () => {
    // Prepare
    const { io, stderr } = captureIo();
    const target = fakeTarget(jobSequence(jobView({ status: 'succeeded', attempts: 1 })), {
      jobType: () => Promise.reject(new Error('AccessDenied')),
    });

    // Act
    await waitForJob(target, io, 'job-1', { timeoutSeconds: 60, json: false });

    // Assess
    expect(stderr()).toContain('succeeded · attempt 1\n');
  });

  it('exits 6 for a failed job and, with --json, writes only the job, as JSON on stdout', async () => {
    // Prepare
    const { io, stdout, stderr } = captureIo();
    const failed = jobView({ status: 'failed', attempts: 1, error: { code: 'NON_RETRYABLE', message: 'boom' } });
    const target = fakeTarget(jobSequence(failed));

    // Act
    const code = await waitForJob(target, io, 'job-1', { timeoutSeconds: 60, json: true });

    // Assess
    expect(code).toBe(EXIT.JOB_FAILED);
    expect(JSON.parse(stdout())).toEqual(failed);
    expect(stderr()).toBe('');
  });

  it('gives up after the timeout with exit 9, saying the job goes on', async () => {
    // Prepare
    const { io, stdout } = captureIo();
    const target = fakeTarget(jobSequence(jobView({ status: 'running', attempts: 1 })));

    // Act
    const error = await waitForJob(target, io, 'job-1', { timeoutSeconds: 0.1, json: true }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      exitCode: EXIT.TIMEOUT,
      message: 'Job job-1 is still running after 0.1 s; it goes on. Follow it with: qw status job-1 --wait',
    });
    expect(JSON.parse(stdout())).toMatchObject({ status: 'running' });
  });

  it('stops waiting at once when the signal is aborted (Ctrl+C)', async () => {
    // Prepare
    const { io } = captureIo({ signal: AbortSignal.abort() });
    const target = fakeTarget(jobSequence(jobView({ status: 'running', attempts: 1 })));

    // Act
    const error = await waitForJob(target, io, 'job-1', { timeoutSeconds: 300, json: false }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ exitCode: EXIT.TIMEOUT });
    expect(target.calls).toHaveLength(1);
  });

  it('on a terminal, redraws one live line and ends it before printing the job', async () => {
    // Prepare
    const { io, stdout, stderr } = captureIo({ tty: true });
    const target = fakeTarget(
      jobSequence(jobView({ status: 'running', attempts: 1 }), jobView({ status: 'succeeded', attempts: 1 })),
    );

    // Act
    await waitForJob(target, io, 'job-1', { timeoutSeconds: 60, json: false });

    // Assess
    const redraws = stderr().split('\r\x1b[2K').filter(Boolean);
    expect(redraws).toHaveLength(2);
    expect(redraws[0]).toMatch(/^⠋ job-1 running · attempt 1\/3 · \d+\.\d s$/);
    expect(redraws[1]).toMatch(/^⠙ job-1 succeeded · attempt 1\/3 · \d+\.\d s\n$/);
    expect(stdout()).toMatch(/^job {6}job-1$/m);
  });
});
