import { describe, expect, it } from 'vitest';
import { onlyToolCrash, tallyScenarios, tallyWithExit } from '../../../contract/tally.js';

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

describe('onlyToolCrash', () => {
  const finished = (status: string) => JSON.stringify({ ScenarioFinished: { phase: 'coverage', status } });
  const nonFatal = (type: string, message: string) =>
    JSON.stringify({
      NonFatalError: { value: { type, message }, phase: 'coverage', label: 'POST /dlq/{type}/redrive' },
    });
  const astCrash = nonFatal('SystemError', 'AST constructor recursion depth mismatch (before=69, after=142)');

  it('is true for a run whose only error is the CPython 3.11 ast crash inside Hypothesis, and no failed check', () => {
    expect(onlyToolCrash([finished('success'), astCrash, finished('error'), finished('skip')].join('\n'))).toBe(true);
  });

  it.each([
    ['a failed check', [astCrash, finished('failure')]],
    ['another error', [astCrash, nonFatal('ValueError', 'bad schema')]],
    ['another SystemError', [nonFatal('SystemError', 'something else')]],
    ['no error at all', [finished('success')]],
    ['a report cut short', [astCrash, '{"ScenarioFinished": {']],
  ])('is false for a run with %s: it stands', (_what, lines) => {
    expect(onlyToolCrash(lines.join('\n'))).toBe(false);
  });
});
