import { ChangeMessageVisibilityBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach } from 'vitest';

/**
 * The SQS client of a worker test file, mocked and reset before each test:
 * the worker's two calls succeed (ChangeMessageVisibilityBatch, and SendMessage
 * to the DLQ). Call it once at the top of the file; a test may add its own
 * answers on the returned stub.
 */
export function mockWorkerSqs() {
  const sqs = mockClient(SQSClient);
  beforeEach(() => {
    sqs.reset();
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
  });
  afterEach(() => sqs.reset());
  return sqs;
}
