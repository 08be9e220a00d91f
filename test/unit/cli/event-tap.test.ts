import {
  DeleteRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { removeExpiredTaps } from '../../../cli/targets/event-tap.js';

const eventsMock = mockClient(EventBridgeClient);
const sqsMock = mockClient(SQSClient);
afterEach(() => {
  eventsMock.reset();
  sqsMock.reset();
});

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
const NOW = new Date('2026-11-29T12:00:00Z');

describe('taps left by a qw events that was killed', () => {
  it('removes the taps on the bus whose lease ran out, rule and queue, and leaves running ones alone', async () => {
    // Prepare
    eventsMock.on(ListRulesCommand).resolves({
      Rules: [
        { Name: 'qw-events-tap-old-1', Description: 'qw events tap until 2026-11-29T11:00:00.000Z' },
        { Name: 'qw-events-tap-live-2', Description: 'qw events tap until 2026-11-29T12:30:00.000Z' },
      ],
    });
    eventsMock.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: 'qw', Arn: 'arn:q' }] });
    eventsMock.on(RemoveTargetsCommand).resolves({});
    eventsMock.on(DeleteRuleCommand).resolves({});
    sqsMock.on(GetQueueUrlCommand).resolves({ QueueUrl: 'http://sqs/000000000000/qw-events-tap-old-1' });
    sqsMock.on(DeleteQueueCommand).resolves({});

    // Act
    const removed = await removeExpiredTaps(new EventBridgeClient(config), new SQSClient(config), 'jobs', NOW);

    // Assess
    expect(removed).toEqual(['qw-events-tap-old-1']);
    expect(eventsMock.commandCalls(ListRulesCommand)[0]?.args[0].input).toEqual({
      EventBusName: 'jobs',
      NamePrefix: 'qw-events-tap-',
    });
    expect(eventsMock.commandCalls(RemoveTargetsCommand).map((c) => c.args[0].input)).toEqual([
      { Rule: 'qw-events-tap-old-1', EventBusName: 'jobs', Ids: ['qw'] },
    ]);
    expect(eventsMock.commandCalls(DeleteRuleCommand).map((c) => c.args[0].input.Name)).toEqual([
      'qw-events-tap-old-1',
    ]);
    expect(sqsMock.commandCalls(DeleteQueueCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([
      'http://sqs/000000000000/qw-events-tap-old-1',
    ]);
  });

  it('leaves a rule of the prefix without a lease in its description alone', async () => {
    eventsMock.on(ListRulesCommand).resolves({ Rules: [{ Name: 'qw-events-tap-mine', Description: 'my own rule' }] });

    const removed = await removeExpiredTaps(new EventBridgeClient(config), new SQSClient(config), 'jobs', NOW);

    expect(removed).toEqual([]);
    expect(eventsMock.commandCalls(DeleteRuleCommand)).toHaveLength(0);
  });
});
