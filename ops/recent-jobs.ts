import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type JobRecord, type JobStatus, type JobView, toJobView } from '../lambda/shared/job.js';

/** Options of {@link recentJobs}. */
export interface RecentJobsOptions {
  readonly status?: JobStatus;
  readonly type?: string;
  /** @default 50 */
  readonly limit?: number;
  /** Most items read; the table has no index by time, so this bounds the cost on a big table. @default 5,000 */
  readonly scanLimit?: number;
}

/**
 * The most recently updated jobs, newest first. The job table is keyed by
 * jobId only, so this scans (up to `scanLimit` items): fine for the local
 * runtime's dashboard, not something to run against a large production table.
 */
export async function recentJobs(
  doc: DynamoDBDocumentClient,
  tableName: string,
  options: RecentJobsOptions = {},
): Promise<{ readonly jobs: JobView[]; readonly scanned: number; readonly truncated: boolean }> {
  const scanLimit = options.scanLimit ?? 5_000;
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const filters: string[] = [];
  if (options.status) {
    names['#status'] = 'status';
    values[':status'] = options.status;
    filters.push('#status = :status');
  }
  if (options.type) {
    names['#type'] = 'type';
    values[':type'] = options.type;
    filters.push('#type = :type');
  }
  const items: JobRecord[] = [];
  let scanned = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        Limit: Math.min(1_000, scanLimit - scanned),
        ...(filters.length
          ? {
              FilterExpression: filters.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }
          : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    scanned += page.ScannedCount ?? 0;
    items.push(...((page.Items ?? []) as JobRecord[]));
    start = page.LastEvaluatedKey;
  } while (start && scanned < scanLimit);
  items.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.createdAt.localeCompare(a.createdAt));
  return { jobs: items.slice(0, options.limit ?? 50).map(toJobView), scanned, truncated: start !== undefined };
}
