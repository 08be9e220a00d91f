import {
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A received message: the SDK's shape, or ReceiveMessage's wire shape, where binary attribute values are base64 text. */
export type ReceivedMessage = Omit<Message, 'MessageAttributes'> & {
  MessageAttributes?: Record<string, WireAttributeValue>;
};

/** A message attribute value as the SDK or the wire carries it. */
export type WireAttributeValue = Omit<MessageAttributeValue, 'BinaryValue' | 'BinaryListValues'> & {
  BinaryValue?: Uint8Array | string;
  BinaryListValues?: (Uint8Array | string)[];
};

/** ReceiveMessage's input, as a poller sends it. */
export interface PollerReceiveInput {
  readonly QueueUrl: string;
  readonly MaxNumberOfMessages: number;
  readonly WaitTimeSeconds: number;
  readonly MessageSystemAttributeNames: ['All'];
  readonly MessageAttributeNames: ['All'];
}

/**
 * The two SQS calls a poller makes. The runtime answers them in-process from the
 * embedded emulator (see `Emulators.pollerSqs`); {@link sdkPollerSqs} makes them over HTTP.
 */
export interface PollerSqs {
  /** ReceiveMessage; an aborted long poll rejects and takes no message. */
  receive(input: PollerReceiveInput, signal: AbortSignal): Promise<ReceivedMessage[]>;
  /** DeleteMessageBatch of at most 10 entries. */
  deleteBatch(
    queueUrl: string,
    entries: readonly { Id: string; ReceiptHandle: string }[],
  ): Promise<{ readonly deleted: number; readonly failed: readonly { Code?: string; Message?: string }[] }>;
}

/** {@link PollerSqs} over an SDK client, for an SQS endpoint outside this process. */
export function sdkPollerSqs(sqs: SQSClient): PollerSqs {
  return {
    async receive(input, signal) {
      const out = await sqs.send(new ReceiveMessageCommand({ ...input }), { abortSignal: signal });
      return out.Messages ?? [];
    },
    async deleteBatch(queueUrl, entries) {
      const out = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...entries] }));
      return { deleted: out.Successful?.length ?? 0, failed: out.Failed ?? [] };
    },
  };
}
