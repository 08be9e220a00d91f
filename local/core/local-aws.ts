/**
 * The identity every local AWS endpoint shares: the in-process emulators of the
 * local runtime, and LocalStack-compatible emulators such as ministack. Defined
 * once, so the runtime, `qw`, the emulator scripts and the tests agree.
 */

/** The account every local ARN and queue URL uses; fauxqs, ministack and LocalStack use the same one. */
export const LOCAL_ACCOUNT = '000000000000';

/** The region local endpoints use when an app does not name one. */
export const LOCAL_REGION = 'us-east-1';

/**
 * Throwaway credentials: local endpoints accept any keys, and these can never
 * reach a real account. Copy before handing them to an SDK client, which may write to them.
 */
export const THROWAWAY_CREDENTIALS = Object.freeze({ accessKeyId: 'test', secretAccessKey: 'test' });
