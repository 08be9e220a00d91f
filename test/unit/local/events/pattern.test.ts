import { describe, expect, it } from 'vitest';
import { compilePattern } from '../../../../local/core/events/pattern.js';

/** An event as EventBridge hands it to the matcher, with `detail` as given. */
const event = (detail: Record<string, unknown>, envelope: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'e1',
  'detail-type': 'Job Succeeded',
  source: 'queue-workers',
  account: '000000000000',
  time: '2026-11-24T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:sqs:us-east-1:000000000000:q'],
  detail,
  ...envelope,
});

const job = event({
  jobId: 'j-1',
  type: 'webhook.deliver',
  status: 'failed',
  attempts: 8,
  error: { code: 'RETRYABLE' },
});

describe('event pattern matching', () => {
  describe.each([
    // [what, pattern, matches job]
    [
      'exact strings on the envelope and the detail',
      { source: ['queue-workers'], detail: { status: ['failed'] } },
      true,
    ],
    ['an exact string that differs', { detail: { status: ['succeeded'] } }, false],
    ['one of several values', { 'detail-type': ['Job Succeeded', 'Job Failed'] }, true],
    ['an exact number', { detail: { attempts: [8] } }, true],
    ['a number never equals its string', { detail: { attempts: ['8'] } }, false],
    ['a nested object', { detail: { error: { code: ['RETRYABLE'] } } }, true],
    ['an array field: any element', { resources: ['arn:aws:sqs:us-east-1:000000000000:q'] }, true],
    ['prefix', { detail: { type: [{ prefix: 'webhook.' }] } }, true],
    ['prefix that does not start it', { detail: { type: [{ prefix: 'deliver' }] } }, false],
    ['prefix ignoring case', { detail: { type: [{ prefix: { 'equals-ignore-case': 'WEBHOOK' } }] } }, true],
    ['suffix', { detail: { type: [{ suffix: '.deliver' }] } }, true],
    ['suffix ignoring case', { detail: { type: [{ suffix: { 'equals-ignore-case': '.DELIVER' } }] } }, true],
    ['equals-ignore-case', { detail: { status: [{ 'equals-ignore-case': 'FAILED' }] } }, true],
    ['wildcard', { detail: { type: [{ wildcard: 'web*.del*' }] } }, true],
    ['wildcard that must match the whole value', { detail: { type: [{ wildcard: 'web*' }] } }, true],
    ['wildcard that does not', { detail: { type: [{ wildcard: '*.send' }] } }, false],
    ['anything-but a value', { detail: { status: [{ 'anything-but': 'succeeded' }] } }, true],
    ['anything-but the value it has', { detail: { status: [{ 'anything-but': 'failed' }] } }, false],
    ['anything-but a list', { detail: { status: [{ 'anything-but': ['succeeded', 'failed'] }] } }, false],
    ['anything-but a number', { detail: { attempts: [{ 'anything-but': [1, 2] }] } }, true],
    ['anything-but a prefix', { detail: { type: [{ 'anything-but': { prefix: 'simulate' } }] } }, true],
    ['anything-but its own prefix', { detail: { type: [{ 'anything-but': { prefix: 'web' } }] } }, false],
    ['anything-but a suffix', { detail: { type: [{ 'anything-but': { suffix: '.deliver' } }] } }, false],
    [
      'anything-but ignoring case',
      { detail: { status: [{ 'anything-but': { 'equals-ignore-case': ['FAILED'] } }] } },
      false,
    ],
    ['anything-but a wildcard', { detail: { type: [{ 'anything-but': { wildcard: 'sim*' } }] } }, true],
    ['anything-but never matches a missing field', { detail: { result: [{ 'anything-but': 'x' }] } }, false],
    ['numeric range', { detail: { attempts: [{ numeric: ['>', 5, '<=', 8] }] } }, true],
    ['numeric range it is outside', { detail: { attempts: [{ numeric: ['>=', 9] }] } }, false],
    ['numeric equality', { detail: { attempts: [{ numeric: ['=', 8] }] } }, true],
    ['numeric on a string never matches', { detail: { status: [{ numeric: ['>', 0] }] } }, false],
    ['exists true', { detail: { jobId: [{ exists: true }] } }, true],
    ['exists true on a missing field', { detail: { result: [{ exists: true }] } }, false],
    ['exists false on a missing field', { detail: { result: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { jobId: [{ exists: false }] } }, false],
    ['exists true on an object is false (leaves only)', { detail: { error: [{ exists: true }] } }, false],
    ['a missing field never equals a value', { detail: { nope: ['x'] } }, false],
    [
      '$or: one branch matches',
      { detail: { $or: [{ status: ['succeeded'] }, { attempts: [{ numeric: ['>', 3] }] }] } },
      true,
    ],
    ['$or: no branch matches', { detail: { $or: [{ status: ['succeeded'] }, { attempts: [1] }] } }, false],
    [
      '$or with a field outside it',
      { source: ['other'], $or: [{ detail: { status: ['failed'] } }, { region: ['x'] }] },
      false,
    ],
    ['conditions combined: any of them', { detail: { status: ['succeeded', { prefix: 'fa' }] } }, true],
  ])('%s', (_what, pattern, expected) => {
    it(expected ? 'matches' : 'does not match', () => {
      const compiled = compilePattern(pattern);

      expect(compiled.problems).toEqual([]);
      expect(compiled.unsupported).toEqual([]);
      expect(compiled.matches(job)).toBe(expected);
    });
  });

  it('matches null exactly', () => {
    expect(compilePattern({ detail: { result: [null] } }).matches(event({ result: null }))).toBe(true);
    expect(compilePattern({ detail: { result: [null] } }).matches(event({}))).toBe(false);
  });

  it('matches the fields of an object in an array within one element', () => {
    const pattern = compilePattern({ detail: { items: { sku: ['a'], qty: [2] } } });

    expect(
      pattern.matches(
        event({
          items: [
            { sku: 'a', qty: 2 },
            { sku: 'b', qty: 1 },
          ],
        }),
      ),
    ).toBe(true);
    expect(
      pattern.matches(
        event({
          items: [
            { sku: 'a', qty: 1 },
            { sku: 'b', qty: 2 },
          ],
        }),
      ),
    ).toBe(false);
  });

  it('reads \\* in a wildcard as a star, not as any characters', () => {
    const pattern = compilePattern({ detail: { name: [{ wildcard: 'a\\*b' }] } });

    expect(pattern.matches(event({ name: 'a*b' }))).toBe(true);
    expect(pattern.matches(event({ name: 'axxb' }))).toBe(false);
  });

  it('treats regular expression characters in prefix, suffix and wildcard literally', () => {
    expect(compilePattern({ detail: { p: [{ wildcard: 'a.b*' }] } }).matches(event({ p: 'axb-c' }))).toBe(false);
    expect(compilePattern({ detail: { p: [{ wildcard: 'a.b*' }] } }).matches(event({ p: 'a.b-c' }))).toBe(true);
    expect(compilePattern({ detail: { p: [{ prefix: '(x' }] } }).matches(event({ p: '(xy' }))).toBe(true);
  });

  it('reports an operator it does not implement, which never matches', () => {
    const compiled = compilePattern({ detail: { ip: [{ cidr: '10.0.0.0/24' }] } });

    expect(compiled.unsupported).toEqual(['cidr']);
    expect(compiled.matches(event({ ip: '10.0.0.1' }))).toBe(false);
  });

  it.each([
    ['a pattern that is not an object', ['x'], /must be a JSON object/],
    ['an empty pattern', {}, /empty/],
    ['a leaf that is not an array', { source: 'queue-workers' }, /array of conditions/],
    ['an empty array', { source: [] }, /matches nothing/],
    ['$or with one branch', { $or: [{ source: ['a'] }] }, /at least 2 objects/],
    ['numeric without pairs', { detail: { n: [{ numeric: ['>'] }] } }, /operator and number pairs/],
    ['exists with a string', { detail: { n: [{ exists: 'yes' }] } }, /true or false/],
    ['prefix with a number', { detail: { n: [{ prefix: 1 }] } }, /takes a string/],
  ])('refuses %s, and never matches it', (_what, pattern, problem) => {
    const compiled = compilePattern(pattern);

    expect(compiled.problems.join(' ')).toMatch(problem);
    expect(compiled.matches(job)).toBe(false);
  });
});
