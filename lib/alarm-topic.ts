import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** Props of {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /**
   * Addresses subscribed to every alarm.
   * @default none - subscribe after deploying
   */
  readonly emails?: readonly string[];
}

/**
 * The one SNS topic every alarm goes to: encrypted with its own rotating key
 * (CloudWatch cannot publish to a topic under the AWS-managed SNS key), TLS only.
 */
export class AlarmTopic extends Construct {
  public readonly topic: Topic;
  public readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const key = new Key(this, 'Key', { enableKeyRotation: true, description: 'queue-workers alarm topic' });
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    for (const email of props.emails ?? []) this.topic.addSubscription(new EmailSubscription(email));
    this.action = new SnsAction(this.topic);
  }
}
