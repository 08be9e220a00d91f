/**
 * Exit codes of `qw`, stable for scripts. Documented in `qw --help` and the README.
 */
export const EXIT = Object.freeze({
  OK: 0,
  /** Anything unexpected: a network error, an SDK error not listed below. */
  ERROR: 1,
  /** Bad command line: unknown command or flag, missing argument, payload that is not JSON. */
  USAGE: 2,
  /** Nothing to talk to: no local runtime running, no such stack, emulator not answering. */
  NO_TARGET: 3,
  /** The target refused the credentials: IAM denied, API 403, no credentials at all. */
  NO_PERMISSION: 4,
  /** No such job (or it expired), or no such job type. */
  NOT_FOUND: 5,
  /** `submit --wait` (or `status --wait`) ended with the job `failed` or `cancelled`. */
  JOB_FAILED: 6,
  /** The target refused the request: the API rejected the job (400/409/413), SQS refused the move or purge. */
  REFUSED: 7,
  /** The operator said no at a confirmation prompt. */
  ABORTED: 8,
  /** `--wait` gave up after `--timeout` seconds; the job goes on. */
  TIMEOUT: 9,
});

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one clear line (plus an optional hint) with a chosen exit code. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

const PERMISSION =
  /AccessDenied|Unauthorized|InvalidClientTokenId|ExpiredToken|UnrecognizedClient|SignatureDoesNotMatch|InvalidSignature|CredentialsProviderError|MissingAuthenticationToken/;
const MISSING = /NonExistentQueue|QueueDoesNotExist|ResourceNotFoundException/;

/**
 * The CLI error for an AWS SDK or network failure: IAM and credential errors
 * are NO_PERMISSION, a missing queue or table or an unreachable endpoint
 * NO_TARGET, everything else ERROR with the SDK's own message.
 */
export function fromAwsError(error: unknown, what: string): CliError {
  if (error instanceof CliError) return error;
  const e = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const name = `${e.name ?? ''} ${e.code ?? ''}`;
  const message = e.message ?? String(error);
  if (PERMISSION.test(name) || /not authorized|access denied|credentials/i.test(message)) {
    return new CliError(
      EXIT.NO_PERMISSION,
      `${what}: permission denied (${e.name}: ${message})`,
      'Check --profile/--region, or that your role may read the stack, its queues and its table.',
      { cause: error },
    );
  }
  if (MISSING.test(name)) return new CliError(EXIT.NO_TARGET, `${what}: ${message}`, undefined, { cause: error });
  const net = e.code ?? e.cause?.code ?? '';
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET/.test(`${net} ${message}`)) {
    return new CliError(EXIT.NO_TARGET, `${what}: the endpoint is not reachable (${net || message}).`, undefined, {
      cause: error,
    });
  }
  return new CliError(EXIT.ERROR, `${what}: ${e.name ? `${e.name}: ` : ''}${message}`, undefined, { cause: error });
}
