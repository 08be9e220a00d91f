/**
 * A test-only fault point: the API's execution environment ends between the
 * steps of a submission (after its messages are queued, or after its records
 * are written), as a crash, a timeout or an out-of-memory kill would, so tests
 * can hold the submit path to its promise. Off unless the stack sets
 * `QW_TEST_ONLY_CRASH_BETWEEN_STEPS` (the construct's test-only prop, or
 * `QW_FAULTS=submit=…` on `npm start`).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { header } from './http.js';
import type { SubmitStep } from './submit.js';

/** The request header that asks for the crash after one step, while the fault point is on. */
export const TEST_CRASH_HEADER = 'x-qw-test-crash';

const STEPS: readonly SubmitStep[] = ['queued', 'recorded'];

/**
 * The `afterStep` hook of one request: it ends the process after the step the
 * request's `X-QW-Test-Crash` header names, or, for `share` of the requests,
 * after a step drawn at random. Undefined when the fault point is off.
 */
export function crashBetweenSteps(
  share: number | undefined,
  event: APIGatewayProxyEvent,
  random: () => number = Math.random,
): ((step: SubmitStep) => void) | undefined {
  if (share === undefined) return undefined;
  const asked = header(event, TEST_CRASH_HEADER);
  const drawn = random() < share ? STEPS[Math.floor(random() * STEPS.length)] : undefined;
  const at = STEPS.find((step) => step === asked) ?? drawn;
  if (at === undefined) return undefined;
  return (step) => {
    if (step !== at) return;
    console.error(JSON.stringify({ level: 'ERROR', message: `[fault] the API's environment ends after ${step}` }));
    // Exit code 137 is what a process killed for its memory shows; Lambda reports Runtime.ExitError.
    process.exit(137);
  };
}
