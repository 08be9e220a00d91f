import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOutput, type OutputOptions } from '../../../local/core/terminal.js';

/** ANSI colour codes (ESC [ n m), matched without a control character in a regex literal. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, 'g');

/** A stream that keeps what is written, a terminal or not. */
function capture(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => chunks.join('') };
}

const record = JSON.stringify({
  level: 'ERROR',
  message: 'job failed',
  timestamp: '2026-11-29T19:37:11.764Z',
  service: 'queue-workers',
  jobId: 'j-1',
  attempt: 3,
  error: { name: 'Error', message: 'boom', stack: 'Error: boom\n    at run (worker.ts:10:5)' },
});

function print(isTTY: boolean, options: OutputOptions, line = record): string {
  const { stream, text } = capture(isTTY);
  const output = createOutput({ stream, liveStatus: false, leadingFields: ['jobId'], ...options });
  output.functionLine('SimulateWorker', line, 'stdout');
  return text();
}

describe('createOutput, for function log lines', () => {
  it('prints raw JSON lines behind the name when piped, for tools', () => {
    expect(print(false, {})).toBe(`[SimulateWorker] ${record}\n`);
  });

  it('prints readable lines on a terminal: time, level, name, message, fields, then the stack indented', () => {
    // Act
    const text = print(true, {});
    // Assess
    const [first, ...rest] = text.replace(ANSI, '').split('\n');
    expect(first).toMatch(
      /^\d\d:\d\d:\d\d\.764 ERROR {2}\[SimulateWorker\] job failed jobId=j-1 attempt=3 error=Error: boom$/,
    );
    expect(rest).toEqual(['      at run (worker.ts:10:5)', '']);
    expect(text).toContain('\x1b[31mERROR ');
  });

  it('keeps raw lines on a terminal with --log-format json', () => {
    // Act
    const text = print(true, { logFormat: 'json' });
    // Assess: the name keeps its colour; the line is the function's.
    expect(text).not.toBe(text.replace(ANSI, ''));
    expect(text.replace(ANSI, '')).toBe(`[SimulateWorker] ${record}\n`);
  });

  it('prints readable lines without colours when --log-format pretty is piped', () => {
    // Act
    const text = print(false, { logFormat: 'pretty' });
    // Assess
    expect(text).not.toContain('\x1b[');
    expect(text).toMatch(/ERROR {2}\[SimulateWorker\] job failed jobId=j-1/);
  });

  it('passes a line it cannot read through unchanged in pretty mode', () => {
    // Prepare
    const malformed = '{"level":"INFO","message":"cut';
    // Act
    const text = print(false, { logFormat: 'pretty' }, malformed);
    // Assess
    expect(text).toBe(`[SimulateWorker] ${malformed}\n`);
  });
});
