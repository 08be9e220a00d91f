import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** The SQS and DynamoDB clients every target works with, and one way to close both. */
export interface DataClients {
  readonly sqs: SQSClient;
  readonly doc: DynamoDBDocumentClient;
  close(): void;
}

/**
 * SQS and DynamoDB clients with one configuration (region, credentials,
 * endpoint), or a DynamoDB one of its own where the two services listen apart.
 */
export function dataClients(
  sqsConfig: SQSClientConfig,
  dynamodbConfig: DynamoDBClientConfig = sqsConfig as DynamoDBClientConfig,
): DataClients {
  const sqs = new SQSClient(sqsConfig);
  const dynamodb = new DynamoDBClient(dynamodbConfig);
  return {
    sqs,
    doc: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
    close() {
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}
