import { type JobType, settingsProblems } from '../lambda/jobs/define.js';
import { MAX_INPUT_BYTES } from '../lambda/jobs/image-thumbnail.js';
import { scheduleProblems } from '../lambda/jobs/schedules.js';
import { queueUrlEnvName } from '../lambda/shared/config.js';
import type { JobApiProps } from './job-api.js';
import type { JobBucketProps } from './job-bucket.js';

/** The bucket's settings, and the API's for it; see {@link JobBucketProps} and {@link JobApiProps}. */
export type StorageSettings = Pick<
  JobBucketProps,
  'uploadOrigins' | 'uploadExpirationDays' | 'thumbnailExpirationDays' | 'serverAccessLogsBucket' | 'removalPolicy'
> &
  Pick<JobApiProps, 'uploadMaxBytes' | 'uploadUrlExpiry' | 'downloadUrlExpiry'>;

/** Fails synthesis with every impossible storage setting, each saying how to fix it. */
export function validateStorage(settings: StorageSettings): void {
  const problems: string[] = [];
  const max = settings.uploadMaxBytes;
  if (max !== undefined && !(Number.isInteger(max) && max >= 1 && max <= MAX_INPUT_BYTES)) {
    problems.push(
      `uploadMaxBytes is ${max}; it must be an integer from 1 to ${MAX_INPUT_BYTES}, the most the image worker reads.`,
    );
  }
  for (const [name, days] of Object.entries({
    uploadExpirationDays: settings.uploadExpirationDays,
    thumbnailExpirationDays: settings.thumbnailExpirationDays,
  })) {
    if (days !== undefined && !(Number.isInteger(days) && days >= 1)) {
      problems.push(`${name} is ${days}; S3 lifecycle rules count whole days, at least 1.`);
    }
  }
  const urlSeconds = settings.uploadUrlExpiry?.toSeconds();
  if (urlSeconds !== undefined && (urlSeconds < 1 || urlSeconds > 604_800)) {
    problems.push(`uploadUrlExpiry is ${urlSeconds} s; a presigned POST lasts from 1 s to 7 days.`);
  }
  const downloadSeconds = settings.downloadUrlExpiry?.toSeconds();
  if (downloadSeconds !== undefined && (downloadSeconds < 1 || downloadSeconds > 604_800)) {
    problems.push(
      `downloadUrlExpiry is ${downloadSeconds} s; a presigned URL lasts from 1 s to 7 days (SigV4's limit).`,
    );
  }
  if (problems.length) throw new Error(`Invalid storage settings:\n- ${problems.join('\n- ')}`);
}

/** Fails synthesis with every problem in the job types, each saying how to fix it. */
export function validateJobTypes(jobTypes: readonly JobType[]): void {
  const problems = jobTypes.flatMap((t) => [
    ...settingsProblems(t.name, t.queue),
    ...scheduleProblems({ name: t.name, payload: t.payload, schedules: t.schedules ?? [] }),
  ]);
  const seen = new Map<string, string>();
  for (const t of jobTypes) {
    const env = queueUrlEnvName(t.name);
    const clash = seen.get(env);
    if (clash) problems.push(`Job types "${clash}" and "${t.name}" map to the same name ${env}; rename one of them.`);
    seen.set(env, t.name);
  }
  if (jobTypes.length === 0) problems.push('No job types are registered; add one to lambda/jobs/registry.ts.');
  if (problems.length) throw new Error(`Invalid job types:\n- ${problems.join('\n- ')}`);
}
