/**
 * AWS list prices used by `npm run bench:cost`: us-east-1, on demand, first
 * volume tier, after the free tier. Read on 2026-11-29 from the sources
 * named; aws.amazon.com's pricing pages fill their tables in the browser, so
 * each figure is the AWS Price List's, as the page and its worked examples
 * state it. Change a figure here, with its source and date, when AWS does.
 */

/** One price and where it comes from. */
export interface Price {
  /** US dollars per one `unit`. */
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
}

/** The date the prices below were read. */
export const PRICES_READ_ON = '2026-11-29';

/** Prices by what they are for. */
export const PRICES = {
  apiGatewayRestRequest: {
    usd: 3.5 / 1e6,
    unit: 'REST API request (first 333 million a month)',
    source: 'https://aws.amazon.com/api-gateway/pricing/ (Price List USE1-ApiGatewayRequest: $3.50 per million)',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6,
    unit: 'invocation',
    source: 'https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests)',
  },
  lambdaGbSecondArm: {
    usd: 0.0000133334,
    unit: 'GB-second on arm64 (first 7.5 billion a month)',
    source: 'https://aws.amazon.com/lambda/pricing/ (Arm, tier 1)',
  },
  lambdaGbSecondX86: {
    usd: 0.0000166667,
    unit: 'GB-second on x86_64 (first 6 billion a month)',
    source: 'https://aws.amazon.com/lambda/pricing/ (x86, tier 1)',
  },
  sqsRequest: {
    usd: 0.4 / 1e6,
    unit: 'standard queue request; each 64 KB chunk of a payload is one',
    source:
      'https://aws.amazon.com/sqs/pricing/ ($0.40 per million; "Each 64 KB chunk of a payload is billed as 1 request")',
  },
  eventBridgeEvent: {
    usd: 1.0 / 1e6,
    unit: 'custom event published; each 64 KB chunk of an entry is one',
    source:
      'https://aws.amazon.com/eventbridge/pricing/ ($1.00 per million custom events; "each 64 KB chunk of a payload is billed as 1 event"; delivery to AWS service targets is not charged)',
  },
  dynamodbWriteUnit: {
    usd: 0.625 / 1e6,
    unit: 'on-demand write request unit',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million WRU since 2024-11-01)',
  },
  dynamodbReadUnit: {
    usd: 0.125 / 1e6,
    unit: 'on-demand read request unit',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.125 per million RRU since 2024-11-01)',
  },
  logsIngestedGb: {
    usd: 0.5,
    unit: 'GB (2^30 bytes) ingested, Standard class; Lambda logs first 10 TB a month',
    source:
      'https://aws.amazon.com/cloudwatch/pricing/ ($0.50 per GB; Lambda vended logs tiered from 2025-05-01, first tier $0.50)',
  },
  customMetricMonth: {
    usd: 0.3,
    unit: 'custom metric a month (first 10,000)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  alarmMonth: {
    usd: 0.1,
    unit: 'standard-resolution alarm metric a month',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  dashboardMonth: {
    usd: 3,
    unit: 'dashboard a month (the first 3 of an account are free)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
} as const satisfies Record<string, Price>;

/**
 * Bytes CloudWatch Logs counts for one log event besides its message, as
 * PutLogEvents sizes a batch. AWS does not say ingestion is billed on it; it
 * is added as an upper bound.
 */
export const LOG_EVENT_OVERHEAD_BYTES = 26;

/**
 * ReceiveMessage calls a Lambda SQS event source makes on an idle queue in a
 * 30-day month: five pollers, each a 20-second long poll at a time
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html;
 * observed as 10 to 15 empty receives a minute). An upper bound: Lambda can
 * scale down to two pollers.
 */
export const IDLE_RECEIVES_PER_EVENT_SOURCE_MONTH = 5 * 3 * 60 * 24 * 30;
