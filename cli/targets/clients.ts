import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where and as whom the clients call: an emulator's endpoint and throwaway keys, or an AWS profile. */
export interface ClientConfig {
  readonly region: string;
  /** @default the service's AWS endpoint (or AWS_ENDPOINT_URL, as the SDK reads it) */
  readonly endpoint?: string;
  /** @default the SDK's credential chain */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** @default the SDK's default profile */
  readonly profile?: string;
}

/** The SQS and DynamoDB clients every target works with, and one way to close both. */
export interface DataClients {
  readonly sqs: SQSClient;
  readonly doc: DynamoDBDocumentClient;
  close(): void;
}

/**
 * SQS and DynamoDB clients with one configuration; `dynamodbEndpoint` where
 * DynamoDB listens apart from SQS (the local runtime).
 */
export function dataClients(config: ClientConfig, dynamodbEndpoint?: string): DataClients {
  const sqs = new SQSClient(config);
  const dynamodb = new DynamoDBClient(dynamodbEndpoint ? { ...config, endpoint: dynamodbEndpoint } : config);
  return {
    sqs,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    close() {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}
