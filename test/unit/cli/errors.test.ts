import { describe, expect, it } from 'vitest';
import { CliError, EXIT, fromAwsError } from '../../../cli/errors.js';

/** An error shaped like the AWS SDK's (name, message, and sometimes a Node network code). */
function awsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name }, extra);
}

describe('fromAwsError', () => {
  it.each([
    { name: 'AccessDeniedException', message: 'User is not authorized to perform sqs:ReceiveMessage' },
    { name: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' },
    { name: 'ExpiredToken', message: 'The security token included in the request is expired' },
    { name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' },
    { name: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match' },
    { name: 'Error', message: 'Access Denied' },
  ])('maps $name to exit 4 with a hint about credentials', ({ name, message }) => {
    // Act
    const error = fromAwsError(awsError(name, message), 'Reading the queues');

    // Assess
    expect(error.exitCode).toBe(EXIT.NO_PERMISSION);
    expect(error.message).toBe(`Reading the queues: permission denied (${name}: ${message})`);
    expect(error.hint).toMatch(/--profile\/--region/);
  });

  it.each([
    { name: 'QueueDoesNotExist', message: 'The specified queue does not exist.' },
    { name: 'AWS.SimpleQueueService.NonExistentQueue', message: 'The specified queue does not exist.' },
    { name: 'ResourceNotFoundException', message: 'Requested resource not found' },
  ])('maps $name to exit 3 (no target) with the SDK message', ({ name, message }) => {
    // Act
    const error = fromAwsError(awsError(name, message), 'Reading the queues');

    // Assess
    expect(error.exitCode).toBe(EXIT.NO_TARGET);
    expect(error.message).toBe(`Reading the queues: ${message}`);
  });

  it.each([
    {
      where: 'on the error',
      error: awsError('Error', 'connect failed', { code: 'ECONNREFUSED' }),
      shown: 'ECONNREFUSED',
    },
    {
      where: 'on its cause',
      error: awsError('TypeError', 'fetch failed', { cause: { code: 'ENOTFOUND' } }),
      shown: 'ENOTFOUND',
    },
    { where: 'in the message', error: awsError('Error', 'read ECONNRESET'), shown: 'read ECONNRESET' },
  ])('maps a network error code $where to exit 3, saying the endpoint is not reachable', ({ error, shown }) => {
    // Act
    const mapped = fromAwsError(error, 'Reading stack Qw');

    // Assess
    expect(mapped.exitCode).toBe(EXIT.NO_TARGET);
    expect(mapped.message).toBe(`Reading stack Qw: the endpoint is not reachable (${shown}).`);
  });

  it('maps anything else to exit 1 with the SDK error name and message, keeping the cause', () => {
    // Prepare
    const original = awsError('ThrottlingException', 'Rate exceeded');

    // Act
    const error = fromAwsError(original, 'Purging the DLQ');

    // Assess
    expect(error.exitCode).toBe(EXIT.ERROR);
    expect(error.message).toBe('Purging the DLQ: ThrottlingException: Rate exceeded');
    expect(error.cause).toBe(original);
  });

  it('passes a CliError through unchanged', () => {
    // Prepare
    const original = new CliError(EXIT.NOT_FOUND, 'No job type "x".');

    // Act & Assess
    expect(fromAwsError(original, 'Reading the queues')).toBe(original);
  });

  it('describes a thrown value that is not an Error', () => {
    // Act
    const error = fromAwsError('socket hang up', 'Reading the queues');

    // Assess
    expect(error).toMatchObject({ exitCode: EXIT.ERROR, message: 'Reading the queues: socket hang up' });
  });
});
