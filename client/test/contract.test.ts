/**
 * The client declares the API's bodies itself, being published on its own;
 * these tests hold those declarations to the API's schemas and error bodies.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { errorBody, statusFor } from '../../lambda/api/http.js';
import type {
  batchAcceptedResponse,
  jobAcceptedResponse,
  jobViewResponse,
  redriveAcceptedResponse,
} from '../../lambda/api/schemas.js';
import {
  IdempotencyConflictError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnknownJobTypeError,
  ValidationError,
} from '../../lambda/shared/errors.js';
import { JOB_STATUSES as API_STATUSES } from '../../lambda/shared/job.js';
import type * as z from '../../lambda/shared/zod.js';
import { errorFromResponse } from '../src/errors.js';
import {
  type BatchAccepted,
  JOB_STATUSES,
  type JobAccepted,
  type JobRejected,
  type JobView,
  type RedriveAccepted,
} from '../src/index.js';

describe("the client's view of the API", () => {
  it('knows the statuses the API has, in the same order', () => {
    expect(JOB_STATUSES).toEqual(API_STATUSES);
  });

  it('describes the accepted body exactly', () => {
    expectTypeOf<JobAccepted>().toEqualTypeOf<Readonly<z.infer<typeof jobAcceptedResponse>>>();
  });

  it('describes only job views the API can send, with every field it sends', () => {
    type ApiView = z.infer<typeof jobViewResponse>;
    expectTypeOf<JobView>().toExtend<ApiView>();
    expectTypeOf<keyof JobView>().toEqualTypeOf<keyof ApiView>();
  });

  it("reads every item of the API's batch answer, accepted or rejected", () => {
    type ApiItem = z.infer<typeof batchAcceptedResponse>['results'][number];
    expectTypeOf<ApiItem>().toExtend<BatchAccepted['results'][number]>();
    expectTypeOf<JobRejected['error']>().toExtend<Extract<ApiItem, { error: unknown }>['error']>();
  });

  it('describes the redrive answer exactly', () => {
    expectTypeOf<RedriveAccepted>().toEqualTypeOf<Readonly<z.infer<typeof redriveAcceptedResponse>>>();
  });

  it.each([
    new ValidationError('The payload does not match.', [{ path: 'payload.url', message: 'Required' }]),
    new UnknownJobTypeError('nope', ['simulate']),
    new PayloadTooLargeError(300_000, 262_144),
    new IdempotencyConflictError('job-1'),
    new ServiceUnavailableError('DynamoDB did not answer.'),
  ])('turns the API body of a $name into a JobApiError with its code, message, details and status', (error) => {
    // Act
    const status = statusFor(error);
    const client = errorFromResponse(status, JSON.parse(JSON.stringify(errorBody(error))), 'req-1');

    // Assess
    expect(client).toMatchObject({
      code: error.code,
      message: error.message,
      details: error.details,
      status,
      requestId: 'req-1',
      retryable: status === 503,
    });
  });
});
