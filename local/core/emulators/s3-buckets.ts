/**
 * The stack's buckets in fauxqs's S3: created as the template declares them,
 * and their lifecycle expirations applied, which fauxqs stores but never runs.
 */
import {
  BucketAlreadyExists,
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BucketDef } from '../plan.js';

/** Creates the buckets that do not exist yet; an existing (persisted) one keeps its objects. */
export async function ensureBuckets(s3: S3Client, buckets: readonly BucketDef[]): Promise<void> {
  for (const bucket of buckets) {
    try {
      await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
    } catch (error) {
      if (!(error instanceof BucketAlreadyOwnedByYou) && !(error instanceof BucketAlreadyExists)) throw error;
    }
  }
}

/**
 * Deletes the objects each bucket's expiration rules say are past their days,
 * counted from the object's upload (S3 rounds up to the next midnight UTC;
 * locally they go a little sooner). Returns how many it deleted.
 */
export async function sweepExpiredObjects(
  s3: S3Client,
  buckets: readonly BucketDef[],
  now = new Date(),
): Promise<number> {
  let deleted = 0;
  for (const bucket of buckets) {
    for (const rule of bucket.expirations) {
      const before = now.getTime() - rule.days * 86_400_000;
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket.name,
            Prefix: rule.prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        const expired = (page.Contents ?? []).filter(
          (o) => o.Key && (o.LastModified?.getTime() ?? now.getTime()) < before,
        );
        if (expired.length) {
          await s3.send(
            new DeleteObjectsCommand({
              Bucket: bucket.name,
              Delete: { Objects: expired.map((o) => ({ Key: o.Key })), Quiet: true },
            }),
          );
          deleted += expired.length;
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    }
  }
  return deleted;
}
