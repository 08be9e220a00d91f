import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobMessageSchema } from '../../../lambda/shared/job.js';
import * as z from '../../../lambda/shared/zod.js';
import { isJobMessage } from '../../../lambda/worker/envelope.js';

const envelopeLike = fc.record(
  {
    jobId: fc.oneof(fc.string(), fc.string({ minLength: 250, maxLength: 260 }), fc.integer(), fc.constant(null)),
    type: fc.oneof(fc.string(), fc.boolean()),
    payload: fc.anything(),
    createdAt: fc.oneof(fc.string(), fc.date()),
  },
  { requiredKeys: [] },
);

describe('isJobMessage', () => {
  it('agrees with jobMessageSchema on any value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.anything(), envelopeLike), (value) => {
        expect(isJobMessage(value)).toBe(z.safeParse(jobMessageSchema, value).success);
      }),
      { numRuns: 2000 },
    );
  });
});
