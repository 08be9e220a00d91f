import { describe, expect, it } from 'vitest';
import {
  billedForMessages,
  billedRequests,
  messageSize,
  SQS_CHUNK_BYTES,
} from '../../../../local/core/metering/sqs-units.js';

describe('SQS billing by 64 KB chunk', () => {
  it('bills any action at least one request, and one more for each started 64 KB chunk', () => {
    expect(billedRequests(0)).toBe(1);
    expect(billedRequests(SQS_CHUNK_BYTES)).toBe(1);
    expect(billedRequests(SQS_CHUNK_BYTES + 1)).toBe(2);
    expect(billedRequests(256 * 1024)).toBe(4);
  });

  it('sizes a message by its body in UTF-8 and each attribute name, type and value', () => {
    expect(messageSize({ MessageBody: 'héllo' })).toBe(6);
    expect(
      messageSize({
        MessageBody: 'x',
        MessageAttributes: {
          a: { DataType: 'String', StringValue: 'bc' },
          b: { DataType: 'Binary', BinaryValue: Buffer.from('xyz').toString('base64') },
        },
      }),
    ).toBe(1 + (1 + 6 + 2) + (1 + 6 + 3));
  });

  it('bills a batch by its messages together: ten 10 KB messages are two requests', () => {
    const entry = { MessageBody: 'x'.repeat(10 * 1024) };
    expect(billedForMessages(Array.from({ length: 10 }, () => entry))).toBe(2);
    expect(billedForMessages([entry])).toBe(1);
  });
});
