import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { LEASE_INDEX } from '../lambda/shared/job.js';

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
 * retention. A sparse index holds the running jobs by the end of their lease,
 * for the reconciler to find the ones whose worker stopped.
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
    this.table.addGlobalSecondaryIndex({
      indexName: LEASE_INDEX.name,
      partitionKey: { name: LEASE_INDEX.partitionKey, type: AttributeType.STRING },
      sortKey: { name: LEASE_INDEX.sortKey, type: AttributeType.NUMBER },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...LEASE_INDEX.attributes],
    });
  }

  /**
   * Grants item actions (GetItem, UpdateItem, ...) on the table itself. Unlike
   * `Table.grant`, which adds every index once the table has one, nothing here
   * reaches an index.
   */
  grantItems(grantee: IGrantable, ...actions: string[]): Grant {
    return Grant.addToPrincipal({ grantee, actions, resourceArns: [this.table.tableArn], scope: this });
  }

  /** Grants a Query of the lease index, and nothing else: what the reconciler reads. */
  grantLeaseQuery(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:Query'],
      resourceArns: [`${this.table.tableArn}/index/${LEASE_INDEX.name}`],
      scope: this,
    });
  }
}
