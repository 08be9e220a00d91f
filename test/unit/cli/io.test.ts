import { describe, expect, it } from 'vitest';
import { ask, formatAge, table, writeJson } from '../../../cli/io.js';
import { captureIo } from './fakes.js';

describe('table', () => {
  it('pads text columns on the right and right-aligns columns of numbers, n/a and -', () => {
    // Act
    const text = table(
      ['TYPE', 'VISIBLE', 'OLDEST', 'JOBS/S'],
      [
        ['simulate', '102', '4 s', '15.0'],
        ['webhook.deliver', '0', '-', 'n/a'],
      ],
    );

    // Assess
    expect(text).toBe(
      [
        'TYPE             VISIBLE  OLDEST  JOBS/S',
        'simulate             102     4 s    15.0',
        'webhook.deliver        0       -     n/a',
      ].join('\n'),
    );
  });

  it('keeps a column left-aligned when one of its cells is not a number', () => {
    // Act
    const text = table(
      ['JOB', 'ATTEMPT'],
      [
        ['a', '1'],
        ['b', '?'],
      ],
    );

    // Assess
    expect(text).toBe(['JOB  ATTEMPT', 'a    1', 'b    ?'].join('\n'));
  });

  it('prints only the header when there are no rows, with no trailing spaces', () => {
    // Act
    const text = table(['TYPE', 'DLQ'], []);

    // Assess
    expect(text).toBe('TYPE  DLQ');
  });
});

describe('formatAge', () => {
  it.each([
    { seconds: 42, known: true, text: '42 s' },
    { seconds: 119.6, known: true, text: '120 s' },
    { seconds: 120, known: true, text: '2 min' },
    { seconds: 7199, known: true, text: '120 min' },
    { seconds: 7200, known: true, text: '2.0 h' },
    { seconds: 5400 * 2, known: true, text: '3.0 h' },
    { seconds: null, known: true, text: '-' },
    { seconds: undefined, known: true, text: '-' },
    { seconds: 42, known: false, text: 'n/a' },
    { seconds: null, known: false, text: 'n/a' },
  ])('shows $seconds s as "$text" when known is $known', ({ seconds, known, text }) => {
    // Act & Assess
    expect(formatAge(seconds, known)).toBe(text);
  });
});

describe('writeJson', () => {
  it('writes one JSON document on its own line to stdout', () => {
    // Prepare
    const { io, stdout } = captureIo();

    // Act
    writeJson(io, { a: 1, b: ['x'] });

    // Assess
    expect(stdout()).toBe('{"a":1,"b":["x"]}\n');
  });
});

describe('ask', () => {
  it('asks on stderr and returns the first line of stdin', async () => {
    // Prepare
    const { io, stderr } = captureIo({ stdin: 'yes\nno\n' });

    // Act
    const answer = await ask(io, 'Sure? ');

    // Assess
    expect(answer).toBe('yes');
    expect(stderr()).toBe('Sure? ');
  });

  it('returns undefined when stdin ends without a line', async () => {
    // Prepare
    const { io } = captureIo();

    // Act
    const answer = await ask(io, 'Sure? ');

    // Assess
    expect(answer).toBeUndefined();
  });
});
