import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

/** Props of {@link JobTable}. */
export interface JobTableProps {
  /**
   * What happens to the table, and every job's history, when the stack is deleted.
   * @default RemovalPolicy.RETAIN - job history outlives the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Attribute DynamoDB's TTL reads; set only on finished jobs. */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * The job-status table: one item per job, keyed by `jobId`, billed on demand,
 * with point-in-time recovery and a TTL that removes finished jobs after their
 * retention.
 */
export class JobTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: JobTableProps = {}) {
    super(scope, id);
    // AWS::DynamoDB::Table rather than TableV2's GlobalTable: the emulators know it.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'jobId', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }
}
