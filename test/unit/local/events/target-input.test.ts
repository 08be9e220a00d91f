import { describe, expect, it } from 'vitest';
import { renderTemplate, targetInput, valueAtPath } from '../../../../local/core/events/target-input.js';

const event = {
  version: '0',
  id: 'e1',
  'detail-type': 'Job Failed',
  source: 'queue-workers',
  time: '2026-11-24T00:00:00Z',
  resources: ['r0', 'r1'],
  detail: { jobId: 'j-1', attempts: 3, error: { code: 'RETRYABLE', message: 'said "no"' } },
};
const rule = { name: 'OnFailed', arn: 'arn:aws:events:us-east-1:000000000000:rule/bus/OnFailed' };
const NOW = new Date('2026-11-24T00:00:05.123Z');

describe('what a rule target receives', () => {
  it('gets the whole event when the target says nothing', () => {
    expect(JSON.parse(targetInput({ kind: 'event' }, event, rule, NOW))).toEqual(event);
  });

  it("gets the target's constant Input as it is", () => {
    expect(targetInput({ kind: 'constant', json: '{"fixed":true}' }, event, rule, NOW)).toBe('{"fixed":true}');
  });

  it('gets the part of the event its InputPath names', () => {
    expect(JSON.parse(targetInput({ kind: 'path', path: '$.detail' }, event, rule, NOW))).toEqual(event.detail);
    expect(valueAtPath(event, '$.resources[1]')).toBe('r1');
    expect(valueAtPath(event, '$.detail.nope.deeper')).toBeUndefined();
  });

  it('fills a JSON template: values as JSON in value positions, strings unquoted inside string literals', () => {
    const out = targetInput(
      {
        kind: 'transformer',
        pathsMap: { id: '$.detail.jobId', n: '$.detail.attempts', error: '$.detail.error', gone: '$.detail.nope' },
        template:
          '{"job": <id>, "attempts": <n>, "error": <error>, "text": "job <id> failed <n> times", "gone": <gone>}',
      },
      event,
      rule,
      NOW,
    );

    expect(JSON.parse(out)).toEqual({
      job: 'j-1',
      attempts: 3,
      error: event.detail.error,
      text: 'job j-1 failed 3 times',
      gone: null,
    });
  });

  it('keeps a string with quotes valid JSON inside a string literal', () => {
    const out = renderTemplate('{"m": "error: <m>"}', new Map([['m', 'said "no"']]));

    expect(JSON.parse(out)).toEqual({ m: 'error: said "no"' });
  });

  it('fills a text template as text, and offers the reserved variables', () => {
    const out = targetInput(
      {
        kind: 'transformer',
        pathsMap: { id: '$.detail.jobId' },
        template: 'Job <id> by <aws.events.rule-name> at <aws.events.event.ingestion-time>',
      },
      event,
      rule,
      NOW,
    );

    expect(out).toBe('Job j-1 by OnFailed at 2026-11-24T00:00:05Z');
  });

  it('passes the whole event through aws.events.event.json, and leaves unknown placeholders alone', () => {
    const out = renderTemplate(
      '{"e": <aws.events.event.json>, "x": "<unknown>"}',
      new Map([['aws.events.event.json', event]]),
    );

    expect(JSON.parse(out)).toEqual({ e: event, x: '<unknown>' });
  });
});
