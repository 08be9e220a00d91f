import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  HttpMethods,
  type IBucket,
  type LifecycleRule,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StorageAccess } from '../lambda/jobs/define.js';
import { ENV } from '../lambda/shared/config.js';
import { BUCKET_AREAS, type BucketArea } from '../lambda/shared/storage.js';

/**
 * Days a message can still need its payload: 7 in its queue, then its dead
 * letter up to 14 days after it was first sent, and a redrive starts it over.
 */
export const MIN_PAYLOAD_DAYS = 21;

/** Props of {@link JobBucket}. */
export interface JobBucketProps {
  /** Days a finished job stays readable; stored payloads and results expire with it. */
  readonly retentionDays: number;
  /**
   * Origins (`https://app.example.com`) whose pages may POST uploads straight to
   * the bucket from a browser (CORS). Apps and services need none.
   * @default none - no browser page may upload
   */
  readonly uploadOrigins?: readonly string[];
  /**
   * Days an upload is kept: long enough for its job to read it.
   * @default 1
   */
  readonly uploadExpirationDays?: number;
  /**
   * Days thumbnails are kept.
   * @default kept until deleted
   */
  readonly thumbnailExpirationDays?: number;
  /**
   * A bucket for S3 server access logs.
   * @default none - acknowledged in the stack's cdk-nag findings, with the reason
   */
  readonly serverAccessLogsBucket?: IBucket;
  /**
   * What happens to the bucket, and every upload and thumbnail, when the stack is deleted.
   * @default RemovalPolicy.RETAIN - users' files outlive the stack
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The S3 action each kind of access is: nothing more (no listing, no deleting, no ACLs). */
const ACTIONS: Readonly<Record<'read' | 'write', string>> = { read: 's3:GetObject', write: 's3:PutObject' };

/**
 * The stack's one bucket, for files too large for a message or an item:
 * uploads, claim-checked payloads and results, thumbnails. The safe choices
 * are made here: S3-managed encryption, every kind of public access blocked,
 * ACLs off, TLS 1.2 or later only, and a lifecycle rule per area. Functions get
 * object access per area ({@link grantAccess}), never the whole bucket.
 */
export class JobBucket extends Construct {
  public readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: JobBucketProps) {
    super(scope, id);
    const origins = props.uploadOrigins ?? [];
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: lifecycleRules(props),
      ...(origins.length
        ? {
            cors: [
              {
                allowedMethods: [HttpMethods.POST],
                allowedOrigins: [...origins],
                allowedHeaders: ['*'],
                exposedHeaders: ['ETag', 'Location'],
                maxAge: 3000,
              },
            ],
          }
        : {}),
      ...(props.serverAccessLogsBucket
        ? { serverAccessLogsBucket: props.serverAccessLogsBucket, serverAccessLogsPrefix: 'job-bucket/' }
        : {}),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  /**
   * Grants `s3:GetObject` (read) or `s3:PutObject` (write) on the objects of one area.
   * Reading a key that is not there is then a 403, not a 404: no function may list.
   */
  grantArea(grantee: IGrantable, area: BucketArea, access: 'read' | 'write'): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [ACTIONS[access]],
      resourceArns: [this.bucket.arnForObjects(`${BUCKET_AREAS[area]}*`)],
      scope: this,
    });
  }

  /** Grants `fn` the areas it reads and writes, and tells it the bucket (`JOB_BUCKET_NAME`). */
  grantAccess(fn: LambdaFunction, access: StorageAccess): void {
    fn.addEnvironment(ENV.bucketName, this.bucket.bucketName);
    for (const area of new Set(access.read)) this.grantArea(fn, area, 'read');
    for (const area of new Set(access.write)) this.grantArea(fn, area, 'write');
  }
}

/** One expiration rule per area; thumbnails only when asked. Incomplete multipart uploads go after a day. */
function lifecycleRules(props: JobBucketProps): LifecycleRule[] {
  const expire = (area: BucketArea, days: number): LifecycleRule => ({
    id: `expire-${area}`,
    prefix: BUCKET_AREAS[area],
    expiration: Duration.days(days),
  });
  return [
    expire('uploads', props.uploadExpirationDays ?? 1),
    expire('payloads', Math.max(props.retentionDays, MIN_PAYLOAD_DAYS)),
    expire('results', props.retentionDays),
    ...(props.thumbnailExpirationDays !== undefined ? [expire('thumbnails', props.thumbnailExpirationDays)] : []),
    { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
  ];
}
