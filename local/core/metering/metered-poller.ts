import type { PollerSqs } from '../sqs/poller-sqs.js';
import { billedForMessages, type WireMessage } from './sqs-units.js';
import type { UsageMeter } from './usage.js';

/**
 * An event source poller's SQS calls, counted as Lambda's pollers are billed
 * for them: each receive and each delete batch, a receive by its messages'
 * 64 KB chunks. Empty receives are counted apart, since their number follows
 * the clock, not the work.
 */
export function meteredPollerSqs(inner: PollerSqs, meter: UsageMeter, caller: string): PollerSqs {
  return {
    async receive(input, signal) {
      const messages = await inner.receive(input, signal);
      if (messages.length) {
        meter.call(caller, 'sqs', 'ReceiveMessage', { billedRequests: billedForMessages(messages as WireMessage[]) });
      } else {
        meter.call(caller, 'sqs', 'ReceiveMessage (empty)');
      }
      return messages;
    },
    async deleteBatch(queueUrl, entries) {
      const out = await inner.deleteBatch(queueUrl, entries);
      meter.call(caller, 'sqs', 'DeleteMessageBatch');
      return out;
    },
  };
}
