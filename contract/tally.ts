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
