import { describe, expect, it } from 'vitest';
import { errorBody } from '../../../lambda/api/http.js';
import {
  MalformedPathError,
  type QueueWorkersError,
  UnknownJobTypeError,
  UnsupportedMediaTypeError,
  UploadNotFoundError,
} from '../../../lambda/shared/errors.js';
import { clip, QUOTED_CHARS, quote } from '../../../lambda/shared/quote.js';

/** 1.1 MB of client input. */
const HUGE = 'x'.repeat(1_100_000);

describe('quoting what a client sent', () => {
  it('quotes a short value in full, JSON-escaped', () => {
    // Act
    const quoted = [quote('simulate'), quote('a"b\\c\n\u0000'), quote('')];
    // Assess
    expect(quoted).toEqual(['"simulate"', '"a\\"b\\\\c\\n\\u0000"', '""']);
  });

  it(`cuts a long value to its first ${QUOTED_CHARS} characters, with an ellipsis and its full length`, () => {
    // Act
    const quoted = quote(HUGE);
    // Assess
    expect(quoted).toBe(`"${'x'.repeat(QUOTED_CHARS)}…" (1100000 characters)`);
  });

  it('never cuts a character outside the BMP in half', () => {
    // Prepare: a surrogate pair straddles the cut.
    const value = `${'a'.repeat(QUOTED_CHARS - 1)}😀${'b'.repeat(10)}`;
    // Act
    const clipped = clip(value);
    // Assess
    expect(clipped).toBe(`${'a'.repeat(QUOTED_CHARS - 1)}…`);
    expect(quote(value)).not.toMatch(/\\ud83d/i);
  });

  it('leaves a value at the limit as it is', () => {
    const value = 'y'.repeat(QUOTED_CHARS);
    expect(clip(value)).toBe(value);
    expect(quote(value)).toBe(`"${value}"`);
  });
});

describe.each<[string, (input: string) => QueueWorkersError]>([
  ['UnknownJobTypeError', (input) => new UnknownJobTypeError(input, ['simulate'])],
  ['UploadNotFoundError', (input) => new UploadNotFoundError(input, 'keys of uploads start with "uploads/"')],
  ['UnsupportedMediaTypeError', (input) => new UnsupportedMediaTypeError(input)],
  ['MalformedPathError', (input) => new MalformedPathError(input)],
])('%s', (_name, make) => {
  it('answers a 1.1 MB input with a body under 1 KB that quotes its escaped start and its length', () => {
    // Act
    const body = JSON.stringify(errorBody(make(`\u0007${HUGE}`)));
    // Assess
    expect(body.length).toBeLessThan(1024);
    expect(body).toContain('1100001 characters');
    expect(body).toContain('\\\\u0007xxx');
  });
});

describe('UnknownJobTypeError', () => {
  it('keeps a short type whole, in its message and its details', () => {
    // Act
    const error = new UnknownJobTypeError('email.send', ['simulate', 'webhook.deliver']);
    // Assess
    expect(error.message).toBe('Unknown job type "email.send". Known types: simulate, webhook.deliver.');
    expect(error.details).toEqual({ type: 'email.send', known: ['simulate', 'webhook.deliver'] });
  });
});
