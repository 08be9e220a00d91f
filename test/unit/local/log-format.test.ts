import { describe, expect, it } from 'vitest';
import { formatLogLine, type PrettyOptions } from '../../../local/core/log-format.js';

/** Plain text, UTC times, the job id first: what the assertions read. */
const plain: PrettyOptions = { colour: false, utc: true, leadingFields: ['jobId'] };

/** What Powertools' logger prints in a Lambda function (here, the worker's "job succeeded"). */
const powertools = (extra: Record<string, unknown>) =>
  JSON.stringify({
    level: 'INFO',
    message: 'job succeeded',
    timestamp: '2026-11-29T19:37:11.764Z',
    service: 'queue-workers',
    cold_start: false,
    function_arn: 'arn:aws:lambda:us-east-1:000000000000:function:QueueWorkers-SimulateWorker',
    function_memory_size: '256',
    function_name: 'QueueWorkers-SimulateWorker',
    function_request_id: '93e01948-f53b-4f6d-92df-654cd6b79df2',
    sampling_rate: 0,
    type: 'simulate',
    ...extra,
  });

describe('formatLogLine on Powertools records', () => {
  it('prints time, level, message, the leading fields, then the others compactly, without the Lambda context', () => {
    // Prepare
    const line = powertools({ attempt: 2, jobId: 'ec64331c', durationMs: 500.9492019999998, note: 'two words' });
    // Act
    const pretty = formatLogLine(line, plain);
    // Assess
    expect(pretty).toEqual({
      head: '19:37:11.764 INFO   ',
      body: 'job succeeded jobId=ec64331c type=simulate attempt=2 durationMs=500.949 note="two words"',
      more: [],
    });
  });

  it("puts an error's headline on the line and its stack and causes under it", () => {
    // Prepare
    const cause = {
      name: 'TimeoutError',
      message: 'took too long',
      stack: 'TimeoutError: took too long\n    at f (a.ts:1:1)',
    };
    const error = {
      name: 'RetryableError',
      location: 'file:///var/task/index.mjs:2:5',
      message: 'POST https://example.com failed: network error',
      stack: 'RetryableError: POST https://example.com failed: network error\n    at g (b.ts:2:2)\n    at h (c.ts:3:3)',
      cause,
    };
    const line = powertools({ level: 'ERROR', message: 'job failed', jobId: 'j-1', error });
    // Act
    const pretty = formatLogLine(line, plain);
    // Assess
    expect(pretty?.head).toBe('19:37:11.764 ERROR  ');
    expect(pretty?.body).toBe(
      'job failed jobId=j-1 type=simulate error=RetryableError: POST https://example.com failed: network error',
    );
    expect(pretty?.more).toEqual([
      '  at g (b.ts:2:2)',
      '  at h (c.ts:3:3)',
      '  Caused by: TimeoutError: took too long',
      '  at f (a.ts:1:1)',
    ]);
  });

  it('colours the level and dims the time and field names on a terminal', () => {
    // Act
    const pretty = formatLogLine(powertools({ level: 'WARN', jobId: 'j' }), { ...plain, colour: true });
    // Assess
    expect(pretty?.head).toBe('\x1b[2m19:37:11.764\x1b[0m \x1b[33mWARN  \x1b[0m ');
    expect(pretty?.body).toBe('job succeeded \x1b[2mjobId=\x1b[0mj \x1b[2mtype=\x1b[0msimulate');
  });

  it('reads pino records too: msg, a numeric level and epoch milliseconds', () => {
    // Act
    const pretty = formatLogLine('{"level":50,"time":1795981031764,"msg":"boom","pid":7}', plain);
    // Assess
    expect(pretty).toEqual({ head: '19:37:11.764 ERROR  ', body: 'boom pid=7', more: [] });
  });

  it('cuts a long value and says how much it left out', () => {
    // Act
    const pretty = formatLogLine(powertools({ payload: { data: 'x'.repeat(400) } }), plain);
    // Assess
    expect(pretty?.body).toMatch(/payload=\{"data":"x{291}…\(\+111 chars\)$/);
  });
});

describe('formatLogLine on Embedded Metric Format records', () => {
  it('summarises them in one line: namespace, dimensions, metric=value with units', () => {
    // Prepare: what Powertools' metrics print at the end of a worker's batch.
    const line = JSON.stringify({
      _aws: {
        Timestamp: 1795981030238,
        CloudWatchMetrics: [
          {
            Namespace: 'QueueWorkers',
            Dimensions: [['service', 'type']],
            Metrics: [
              { Name: 'retried', Unit: 'Count' },
              { Name: 'succeeded', Unit: 'Count' },
              { Name: 'duration', Unit: 'Milliseconds' },
              { Name: 'size', Unit: 'Kilobytes' },
            ],
          },
        ],
      },
      service: 'queue-workers',
      type: 'simulate',
      retried: 1,
      succeeded: 0,
      duration: [500.78824299999997, 12],
      size: 3,
    });
    // Act
    const pretty = formatLogLine(line, plain);
    // Assess
    expect(pretty).toEqual({
      head: '19:37:10.238 METRIC ',
      body: 'QueueWorkers service=queue-workers type=simulate: retried=1, succeeded=0, duration=500.788,12 ms, size=3 Kilobytes',
      more: [],
    });
  });
});

describe('formatLogLine on Lambda runtime lines', () => {
  it.each([
    ['START RequestId: 8f5c Version: $LATEST'],
    ['END RequestId: 8f5c'],
    ['REPORT RequestId: 8f5c Duration: 12.34 ms Billed Duration: 13 ms Memory Size: 256 MB Max Memory Used: 80 MB'],
    ['INIT_REPORT Runtime.ImportModuleError: Cannot find module'],
    ['2026-11-29T19:37:11.764Z 3b1f Task timed out after 3.00 seconds'],
  ])('keeps %s as written', (line) => {
    expect(formatLogLine(line, plain)).toEqual({ head: '', body: line, more: [] });
  });

  it("gives a console line in Lambda's text format its time and level", () => {
    // Act
    const pretty = formatLogLine('2026-11-29T19:37:11.764Z\t8f5c-11\tWARN\tdisk almost full', plain);
    // Assess
    expect(pretty).toEqual({ head: '19:37:11.764 WARN   ', body: 'disk almost full', more: [] });
  });

  it('marks a timeout in red on a terminal', () => {
    const line = '2026-11-29T19:37:11.764Z 3b1f Task timed out after 3.00 seconds';
    expect(formatLogLine(line, { ...plain, colour: true })?.body).toBe(`\x1b[31m${line}\x1b[0m`);
  });
});

describe('formatLogLine on lines it does not know', () => {
  it.each([
    ['plain text', 'listening on 8080'],
    ['malformed JSON', '{"level":"INFO","message":"cut sh'],
    ['JSON that is not an object', '[1,2,3]'],
    ['an object that is no log record', '{"orderId":42,"total":19.99}'],
    ['braces around text', '{not json at all}'],
    ['an empty line', ''],
  ])('passes %s through unchanged', (_what, line) => {
    expect(formatLogLine(line, plain)).toBeUndefined();
  });
});
