/**
 * What a Schemathesis run found, read from its NDJSON event report: the
 * scenarios it ran, as its own summary counts them (one per operation in the
 * examples, coverage and fuzzing phases, one per call sequence in the stateful
 * phase).
 */

/** Scenarios that passed, failed (a check failed, or the scenario errored) and were skipped. */
export interface ContractTally {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

interface ScenarioFinished {
  readonly phase?: string;
  readonly status?: string;
}

/**
 * Counts the `ScenarioFinished` events of an NDJSON report. A line that is not
 * JSON (a report cut short by a crash) is ignored: the run's exit code says
 * that something went wrong.
 */
export function tallyScenarios(ndjson: string): ContractTally {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"ScenarioFinished"')) continue;
    let event: { ScenarioFinished?: ScenarioFinished };
    try {
      event = JSON.parse(line) as { ScenarioFinished?: ScenarioFinished };
    } catch {
      continue;
    }
    const status = event.ScenarioFinished?.status;
    if (status === undefined) continue;
    if (status === 'success') passed += 1;
    else if (status === 'skip') skipped += 1;
    else failed += 1;
  }
  return { passed, failed, skipped };
}

/**
 * The tally CI adds up: a run that failed (exit code not 0) with no failed
 * scenario, because the schema did not load or a warning failed it, counts
 * as one failure.
 */
export function tallyWithExit(tally: ContractTally, exitCode: number): ContractTally {
  return exitCode !== 0 && tally.failed === 0 ? { ...tally, failed: 1 } : tally;
}

/** The one crash of the tool itself that a second run is allowed for: CPython 3.11's ast check, inside Hypothesis. */
const TOOL_CRASH = /^AST constructor recursion depth mismatch/;

/**
 * True when a run found nothing about the API and only crashed inside the
 * tool: no scenario failed a check, and every error is CPython 3.11's
 * `SystemError: AST constructor recursion depth mismatch`, raised where
 * Hypothesis parses a lambda's source. Such a run says nothing either way, so
 * the runner runs Schemathesis once more; any other error or failure stands.
 */
export function onlyToolCrash(ndjson: string): boolean {
  let crashes = 0;
  for (const line of ndjson.split('\n')) {
    if (!line.includes('"ScenarioFinished"') && !line.includes('"NonFatalError"')) continue;
    let event: { ScenarioFinished?: ScenarioFinished; NonFatalError?: { value?: { type?: string; message?: string } } };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return false;
    }
    if (event.ScenarioFinished?.status === 'failure') return false;
    const error = event.NonFatalError?.value;
    if (!event.NonFatalError) continue;
    if (error?.type !== 'SystemError' || !TOOL_CRASH.test(error.message ?? '')) return false;
    crashes += 1;
  }
  return crashes > 0;
}
