import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambda/shared/config.js';
import type { JobTable } from './job-table.js';

/** Props of {@link CompletionCallbacks}. */
export interface CompletionCallbacksProps {
  /** The webhook.deliver queue: callbacks are webhook.deliver jobs. */
  readonly deliveryQueue: IQueue;
  /** The job table, where each callback's delivery is recorded as a job. */
  readonly table: JobTable;
}

/** Secrets Manager's punctuation, which GenerateSecretString draws from unless told otherwise. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

/**
 * Every character GenerateSecretString would draw that is not in the base64
 * alphabet: what is left is A-Z, a-z, 0-9, + and /. Named one by one rather
 * than through ExcludePunctuation, which would also drop + and /.
 */
const NOT_BASE64 = [...PUNCTUATION].filter((c) => c !== '+' && c !== '/').join('');

/**
 * Completion callbacks' infrastructure: the stack's webhook signing secret,
 * and the grants that let a function queue callbacks or sign them. The
 * secret is 64 characters of the base64 alphabet, each drawn alone: 48
 * uniformly random bytes, base64-encoded. `whsec_` followed by it is the
 * Standard Webhooks secret receivers verify with. It is not rotated
 * automatically: every receiver holds it, so a rotation is a change to
 * coordinate with them.
 */
export class CompletionCallbacks extends Construct {
  public readonly signingSecret: Secret;
  private readonly props: CompletionCallbacksProps;

  constructor(scope: Construct, id: string, props: CompletionCallbacksProps) {
    super(scope, id);
    this.props = props;
    this.signingSecret = new Secret(this, 'SigningSecret', {
      description:
        'queue-workers webhook signing secret (Standard Webhooks): whsec_ followed by this value is the secret receivers verify with.',
      generateSecretString: {
        passwordLength: 64,
        excludeCharacters: NOT_BASE64,
        includeSpace: false,
        // One character of each kind would be a bias; the 64 are drawn independently.
        requireEachIncludedType: false,
      },
    });
  }

  /**
   * Lets a finisher (a worker, the reconciler) queue callbacks: the delivery
   * queue's URL in its environment, SendMessage to that queue, and the item
   * actions that record a delivery (read the finished job, create the
   * delivery's record, mark it failed when SQS refuses it).
   */
  grantQueueing(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.callbackQueueUrl, this.props.deliveryQueue.queueUrl);
    this.props.deliveryQueue.grantSendMessages(fn);
    this.props.table.grantItems(fn, 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem');
  }

  /** Lets webhook.deliver sign: the secret's ARN in its environment, and read access to that secret alone. */
  grantSigning(fn: LambdaFunction): void {
    fn.addEnvironment(ENV.webhookSigningSecretArn, this.signingSecret.secretArn);
    this.signingSecret.grantRead(fn);
  }
}
