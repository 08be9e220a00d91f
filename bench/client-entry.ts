/**
 * What a web app bundles to submit and follow jobs: the client, typed by the
 * registry through a type-only import, and every method a producer calls.
 * `npm run bench:bundle` bundles this for a browser and checks what went in.
 */
import { createJobClient, JobApiError } from '@queue-workers/client';
import type { jobTypes } from '../lambda/jobs/registry.js';

/** A client as a browser would make it: SigV4 with credentials from a Cognito identity pool, say. */
export function jobsFor(url: string, credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string }>) {
  return createJobClient<typeof jobTypes>({ url, auth: { iam: credentials, region: 'eu-west-1' } });
}

/** Every call of the client, so that none is left out of the bundle. */
export async function everyCall(jobs: ReturnType<typeof jobsFor>, signal: AbortSignal) {
  try {
    const accepted = await jobs.submit('webhook.deliver', { url: 'https://example.com/hook', body: {} }, { signal });
    await jobs.submitBatch([{ type: 'simulate', payload: { sleepMs: 1 } }], { signal });
    await jobs.get('simulate', accepted.jobId);
    await jobs.redrive('simulate');
    await jobs.request('GET', '/jobs/x');
    return await jobs.waitFor(accepted, { signal, onUpdate: (job) => console.log(job.status) });
  } catch (error) {
    if (error instanceof JobApiError) console.log(error.code, error.status, error.requestId);
    throw error;
  }
}
