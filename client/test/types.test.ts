/**
 * Compile-time guarantees, checked by `tsc` (`npm test` type-checks this file):
 * each `@ts-expect-error` fails the build if the line below it compiles, and
 * each `expectTypeOf` if the types differ. The calls sit in functions that are
 * never run; at run time these tests only confirm that.
 */
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineJobType } from '../../lambda/jobs/define.js';
import type { jobTypes } from '../../lambda/jobs/registry.js';
import type { WebhookResult } from '../../lambda/jobs/webhook-deliver.js';
import * as z from '../../lambda/shared/zod.js';
import {
  createJobClient,
  type FinishedJob,
  type JobAccepted,
  type JobClient,
  type JobClientAuth,
  type JobErrorInfo,
  type JobPayload,
  type JobResult,
  type JobTypeName,
} from '../src/index.js';

type Jobs = JobClient<typeof jobTypes>;

/** Type checks only: a function the test never calls. */
const compileOnly = (check: (jobs: Jobs) => Promise<void>) => expect(check).toBeTypeOf('function');

describe('a client typed by the registry', () => {
  it('knows every type by its literal name', () => {
    expectTypeOf<JobTypeName<typeof jobTypes>>().toEqualTypeOf<'simulate' | 'webhook.deliver' | 'image.thumbnail'>();
  });

  it('accepts a payload as the schema takes it, and answers with the submitted type', () => {
    compileOnly(async (jobs) => {
      const accepted = await jobs.submit('webhook.deliver', { url: 'https://example.com/hook', body: { upload: 1 } });
      expectTypeOf(accepted).toEqualTypeOf<JobAccepted<'webhook.deliver'>>();
      await jobs.submit('simulate', {});
    });
  });

  it('refuses a misspelled type', () => {
    compileOnly(async (jobs) => {
      // @ts-expect-error 'simulat' is not a registered type
      await jobs.submit('simulat', {});
      // @ts-expect-error nor for a redrive
      await jobs.redrive('webhooks');
    });
  });

  it('refuses a payload without a required field, or with a field of the wrong type', () => {
    compileOnly(async (jobs) => {
      // @ts-expect-error body is required
      await jobs.submit('webhook.deliver', { url: 'https://example.com/hook' });
      // @ts-expect-error sleepMs is a number
      await jobs.submit('simulate', { sleepMs: '100' });
    });
  });

  it("refuses another type's payload, in a single submission and in a batch", () => {
    compileOnly(async (jobs) => {
      // @ts-expect-error a webhook's payload is not a simulate payload
      await jobs.submit('simulate', { url: 'https://example.com/hook', body: {} });
      await jobs.submitBatch([
        { type: 'simulate', payload: { sleepMs: 1 } },
        { type: 'webhook.deliver', payload: { url: 'https://example.com/hook', body: null } },
        // @ts-expect-error each item is checked against its own type
        { type: 'webhook.deliver', payload: { sleepMs: 1 } },
      ]);
    });
  });

  it("types a job's result by its type, and refuses a wrong one", () => {
    compileOnly(async (jobs) => {
      const job = await jobs.get('simulate', 'job-1');
      if (job.status === 'succeeded') {
        expectTypeOf(job.result).toEqualTypeOf<{ attempt: number }>();
        // @ts-expect-error the result is an object, not a string
        const text: string = job.result;
        void text;
      }
      const done = await jobs.waitFor(await jobs.submit('webhook.deliver', { url: 'https://x.test', body: 1 }));
      expectTypeOf(done).toEqualTypeOf<FinishedJob<'webhook.deliver', WebhookResult>>();
    });
  });

  it('narrows a job read by id alone on its type, then its status', () => {
    compileOnly(async (jobs) => {
      const job = await jobs.waitFor('job-1');
      if (job.type === 'webhook.deliver' && job.status === 'succeeded') {
        expectTypeOf(job.result).toEqualTypeOf<WebhookResult>();
      }
      if (job.status === 'failed') expectTypeOf(job.error).toEqualTypeOf<JobErrorInfo | undefined>();
    });
  });

  it('takes any type and payload without a registry', () => {
    const untyped = createJobClient({ url: 'https://api.example.test', auth: 'none' });
    const check = async () => {
      const accepted = await untyped.submit('anything', { at: 'all' });
      expectTypeOf(accepted.type).toEqualTypeOf<'anything'>();
      const job = await untyped.get(accepted.jobId);
      if (job.status === 'succeeded') expectTypeOf(job.result).toEqualTypeOf<unknown>();
    };
    expect(check).toBeTypeOf('function');
  });
});

describe('payload and result types of a definition', () => {
  // A registry of one, with a default: the producer may leave `format` out, the handler always has it.
  const render = defineJobType({
    name: 'report.render',
    description: 'renders a report',
    payload: z.strictObject({ pages: z.number(), format: z._default(z.enum(['pdf', 'png']), 'pdf') }),
    handler: async (payload) => {
      expectTypeOf(payload.format).toEqualTypeOf<'pdf' | 'png'>();
      return { bytes: payload.pages * 1000 };
    },
  });
  const registry = [render] as const;

  it('makes a field with a default optional for the producer, as z.input says', () => {
    expectTypeOf<JobPayload<typeof registry, 'report.render'>>().toEqualTypeOf<{
      pages: number;
      format?: 'pdf' | 'png' | undefined;
    }>();
  });

  it("derives the result from the handler's return type", () => {
    expectTypeOf<JobResult<typeof registry, 'report.render'>>().toEqualTypeOf<{ bytes: number }>();
  });
});

describe('IAM auth', () => {
  it('takes a credentials provider of @aws-sdk/credential-providers', () => {
    const auth: JobClientAuth = { iam: fromNodeProviderChain(), region: 'eu-west-1' };
    expect(auth).toMatchObject({ region: 'eu-west-1' });
  });
});
