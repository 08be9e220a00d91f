/**
 * SQS's billing arithmetic: every action is a request, and each 64 KB chunk
 * of a payload is billed as one more (a 256 KB message is four requests).
 */

/** SQS bills a payload per chunk of this many bytes. */
export const SQS_CHUNK_BYTES = 64 * 1024;

/** A message, or a batch entry, as SQS's JSON protocol carries it. */
export interface WireMessage {
  readonly MessageBody?: string;
  readonly Body?: string;
  readonly MessageAttributes?: Readonly<Record<string, WireMessageAttribute>>;
}

interface WireMessageAttribute {
  readonly DataType?: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string | Uint8Array;
}

/** Size of a message as SQS counts it: its body, and each attribute's name, type and value. */
export function messageSize(message: WireMessage): number {
  const body = Buffer.byteLength(message.MessageBody ?? message.Body ?? '', 'utf8');
  let attributes = 0;
  for (const [name, a] of Object.entries(message.MessageAttributes ?? {})) {
    const binary = a.BinaryValue;
    const value =
      binary === undefined
        ? Buffer.byteLength(a.StringValue ?? '', 'utf8')
        : typeof binary === 'string'
          ? Buffer.from(binary, 'base64').length
          : binary.length;
    attributes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(a.DataType ?? '', 'utf8') + value;
  }
  return body + attributes;
}

/** Requests one action is billed as, for a payload of `bytes`: one per started 64 KB chunk, at least one. */
export function billedRequests(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / SQS_CHUNK_BYTES));
}

/** Requests billed for a send or a receive of these messages together. */
export function billedForMessages(messages: readonly WireMessage[]): number {
  return billedRequests(messages.reduce((sum, m) => sum + messageSize(m), 0));
}
