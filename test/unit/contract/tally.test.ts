import { describe, expect, it } from 'vitest';
import { tallyScenarios, tallyWithExit } from '../../../contract/tally.js';

const finished = (phase: string, status: string) =>
  JSON.stringify({ ScenarioFinished: { id: 'x', phase, status, is_final: false, recorder: { label: 'POST /jobs' } } });

describe('tallyScenarios', () => {
  it('counts the scenarios Schemathesis finished, as its summary does', () => {
    // Prepare
    const ndjson = [
      JSON.stringify({ Initialize: { schemathesis_version: '4.32.5', seed: 1 } }),
      finished('examples', 'success'),
      finished('coverage', 'failure'),
      finished('fuzzing', 'error'),
      finished('stateful', 'success'),
      finished('stateful', 'skip'),
      JSON.stringify({ PhaseFinished: { phase: { name: 'stateful' }, status: 'failure' } }),
      '',
    ].join('\n');
    // Act
    const tally = tallyScenarios(ndjson);
    // Assess
    expect(tally).toEqual({ passed: 2, failed: 2, skipped: 1 });
  });

  it('ignores a line cut short, as a report of a crashed run ends', () => {
    // Prepare
    const ndjson = `${finished('examples', 'success')}\n{"ScenarioFinished": {"phase": "fuzz`;
    // Act
    const tally = tallyScenarios(ndjson);
    // Assess
    expect(tally).toEqual({ passed: 1, failed: 0, skipped: 0 });
  });
});

describe('tallyWithExit', () => {
  it('counts a failed run with no failed scenario (a warning, a schema that did not load) as one failure', () => {
    expect(tallyWithExit({ passed: 5, failed: 0, skipped: 0 }, 1)).toEqual({ passed: 5, failed: 1, skipped: 0 });
    expect(tallyWithExit({ passed: 5, failed: 2, skipped: 0 }, 1)).toEqual({ passed: 5, failed: 2, skipped: 0 });
    expect(tallyWithExit({ passed: 5, failed: 0, skipped: 0 }, 0)).toEqual({ passed: 5, failed: 0, skipped: 0 });
  });
});
