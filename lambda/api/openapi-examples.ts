/**
 * Examples of the OpenAPI document: one valid request per job type, and the
 * main responses. Tools replay request examples against a running API (the
 * unit tests submit each through the router and expect 202), so nothing here
 * may send traffic off the machine: the webhook example targets the loopback
 * discard port, where a delivery attempt is refused at once.
 */
import type * as z from '../shared/zod.js';
import type {
  batchAcceptedResponse,
  cancelAskedResponse,
  errorResponseBody,
  jobAcceptedResponse,
  jobViewResponse,
  redriveAcceptedResponse,
  SubmitJobRequest,
  uploadCreatedResponse,
  uploadRequest,
} from './schemas.js';

/** An OpenAPI Example Object. */
export interface Example<T> {
  readonly summary: string;
  readonly value: T;
}

/**
 * A valid `POST /jobs` body for each registered job type, by type name. A job
 * type without one is documented without an example; the unit tests fail until
 * it has one.
 */
export const JOB_REQUEST_EXAMPLES: Readonly<Record<string, Example<SubmitJobRequest>>> = {
  simulate: {
    summary: 'Work for half a second, fail the first attempt, succeed on the retry',
    value: { type: 'simulate', payload: { sleepMs: 500, failTimes: 1 }, idempotencyKey: 'example-simulate-1' },
  },
  'webhook.deliver': {
    summary: 'POST an event to a receiver in ten seconds, with a signature header',
    value: {
      type: 'webhook.deliver',
      payload: {
        url: 'http://127.0.0.1:9/hooks/order-paid',
        body: { event: 'order.paid', orderId: 'order-1234', amount: { value: 1999, currency: 'EUR' }, gift: false },
        headers: { 'x-signature': 'sha256=6f1ed002ab5595859014ebf0951522d9' },
        timeoutMs: 5000,
      },
      delaySeconds: 10,
    },
  },
  'image.thumbnail': {
    summary: 'Thumbnails 128 and 512 px wide of an upload, as WebP, watermarked',
    value: {
      type: 'image.thumbnail',
      payload: {
        key: 'uploads/3f8e2a51-6c0d-4b7e-9a14-2d5c8b7e1f60',
        widths: [128, 512],
        format: 'webp',
        watermark: true,
      },
    },
  },
};

const JOB_ID = '7f0c4f5e-3b8a-4c1e-9d2f-5a6b7c8d9e0f';
const STATUS_URL = `https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/jobs/${JOB_ID}`;

/** The `202` body of `POST /jobs`. */
export const JOB_ACCEPTED_EXAMPLE: Example<z.input<typeof jobAcceptedResponse>> = {
  summary: 'The job is queued',
  value: { jobId: JOB_ID, type: 'simulate', status: 'queued', statusUrl: STATUS_URL },
};

/** The `202` body of `POST /jobs/batch`, one item accepted and one rejected. */
export const BATCH_ACCEPTED_EXAMPLE: Example<z.input<typeof batchAcceptedResponse>> = {
  summary: 'The first item is queued; the second names an unknown type',
  value: {
    accepted: 1,
    rejected: 1,
    results: [
      JOB_ACCEPTED_EXAMPLE.value,
      {
        error: {
          code: 'UNKNOWN_JOB_TYPE',
          message: 'Unknown job type "email.send". Known types: simulate, webhook.deliver.',
          details: { type: 'email.send', known: ['simulate', 'webhook.deliver', 'image.thumbnail'] },
        },
      },
    ],
  },
};

/** `200` bodies of `GET /jobs/{jobId}`, by name. */
export const JOB_VIEW_EXAMPLES: Readonly<Record<string, Example<z.input<typeof jobViewResponse>>>> = {
  succeeded: {
    summary: 'A job that succeeded on its second attempt',
    value: {
      jobId: JOB_ID,
      type: 'simulate',
      status: 'succeeded',
      attempts: 2,
      createdAt: '2026-11-24T09:30:00.000Z',
      updatedAt: '2026-11-24T09:30:02.140Z',
      result: { attempt: 2 },
    },
  },
  thumbnails: {
    summary: 'Thumbnails made, each with a download URL minted when the job is read',
    value: {
      jobId: JOB_ID,
      type: 'image.thumbnail',
      status: 'succeeded',
      attempts: 1,
      createdAt: '2026-11-24T09:30:00.000Z',
      updatedAt: '2026-11-24T09:30:01.380Z',
      result: {
        source: { width: 4000, height: 3000, format: 'jpeg' },
        thumbnails: [128, 512].map((width) => ({
          width,
          height: (width * 3) / 4,
          format: 'webp',
          key: `thumbnails/${JOB_ID}/${width}.webp`,
          bytes: width * 24,
          url: `https://qw-files.s3.eu-west-1.amazonaws.com/thumbnails/${JOB_ID}/${width}.webp?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=...`,
        })),
      },
    },
  },
  failed: {
    summary: 'A job that used all its attempts; its message waits in the dead-letter queue',
    value: {
      jobId: JOB_ID,
      type: 'webhook.deliver',
      status: 'failed',
      attempts: 8,
      createdAt: '2026-11-24T09:30:00.000Z',
      updatedAt: '2026-11-24T10:41:17.902Z',
      error: { code: 'RETRYABLE', message: 'POST http://127.0.0.1:9/hooks/order-paid failed: network error' },
    },
  },
};

/** The `202` body of `POST /dlq/{type}/redrive`. */
export const REDRIVE_ACCEPTED_EXAMPLE: Example<z.input<typeof redriveAcceptedResponse>> = {
  summary: 'Three failed jobs back to queued; SQS moves their messages',
  value: {
    type: 'webhook.deliver',
    method: 'StartMessageMoveTask',
    taskHandle: 'eyJ0YXNrSWQiOiJkYjM2ZTg1Yi0wMDAwIn0=',
    requeued: 3,
  },
};

/** The `400` body of a job whose payload does not match its type. */
export const VALIDATION_ERROR_EXAMPLE: Example<z.input<typeof errorResponseBody>> = {
  summary: 'A payload that does not match its job type',
  value: {
    error: {
      code: 'VALIDATION_ERROR',
      message: 'The payload does not match the schema of job type "simulate".',
      details: [{ path: 'payload.sleepMs', message: 'Invalid input: expected number, received string' }],
    },
  },
};

/** The `400` body of `POST /jobs` when the Idempotency-Key header and the idempotencyKey field differ. */
export const IDEMPOTENCY_KEY_MISMATCH_EXAMPLE: Example<z.input<typeof errorResponseBody>> = {
  summary: 'An Idempotency-Key header that differs from the idempotencyKey field',
  value: {
    error: {
      code: 'VALIDATION_ERROR',
      message: 'The Idempotency-Key header and the idempotencyKey field differ; send one of them.',
      details: [{ path: 'idempotencyKey', message: 'differs from the Idempotency-Key header' }],
    },
  },
};

/** The `404` body of `GET /jobs/{jobId}` for an unknown id. */
export const NOT_FOUND_EXAMPLE: Example<z.input<typeof errorResponseBody>> = {
  summary: 'No job has this id',
  value: { error: { code: 'NOT_FOUND', message: `No job with id "${JOB_ID}".`, details: { jobId: JOB_ID } } },
};

/** A job cancelled while it waited. */
export const JOB_CANCELLED_EXAMPLE: Example<z.input<typeof jobViewResponse>> = {
  summary: 'A queued job, cancelled before any attempt',
  value: {
    jobId: JOB_ID,
    type: 'simulate',
    status: 'cancelled',
    attempts: 0,
    createdAt: '2026-11-24T09:30:00.000Z',
    updatedAt: '2026-11-24T09:30:05.120Z',
  },
};

/** A running job asked to stop. */
export const CANCEL_ASKED_EXAMPLE: Example<z.input<typeof cancelAskedResponse>> = {
  summary: 'A running job, asked to stop through its signal',
  value: {
    jobId: JOB_ID,
    type: 'simulate',
    status: 'running',
    attempts: 1,
    createdAt: '2026-11-24T09:30:00.000Z',
    updatedAt: '2026-11-24T09:30:07.400Z',
    progress: 40,
    cancelRequested: true,
    message: 'The job is running: it was asked to stop through its signal, and ends cancelled if it does.',
  },
};

/** A cancel of a finished job. */
export const JOB_FINISHED_EXAMPLE: Example<z.input<typeof errorResponseBody>> = {
  summary: 'The job had already succeeded',
  value: {
    error: {
      code: 'JOB_FINISHED',
      message: 'The job is already succeeded; only a queued, retrying or running job can be cancelled.',
      details: { jobId: JOB_ID, status: 'succeeded' },
    },
  },
};

/** The body of `POST /uploads`. */
export const UPLOAD_REQUEST_EXAMPLE: Example<z.input<typeof uploadRequest>> = {
  summary: 'A 3.2 MB JPEG',
  value: { contentType: 'image/jpeg', contentLength: 3_200_000 },
};

const UPLOAD_ID = '3f8e2a51-6c0d-4b7e-9a14-2d5c8b7e1f60';

/** The `201` body of `POST /uploads`. */
export const UPLOAD_CREATED_EXAMPLE: Example<z.input<typeof uploadCreatedResponse>> = {
  summary: 'A presigned POST, valid for 15 minutes',
  value: {
    uploadId: UPLOAD_ID,
    key: `uploads/${UPLOAD_ID}`,
    url: 'https://qw-files.s3.eu-west-1.amazonaws.com/',
    fields: {
      'Content-Type': 'image/jpeg',
      bucket: 'qw-files',
      key: `uploads/${UPLOAD_ID}`,
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'ASIAEXAMPLE/20261124/eu-west-1/s3/aws4_request',
      'X-Amz-Date': '20261124T093000Z',
      'X-Amz-Security-Token': '...',
      Policy: 'eyJleHBpcmF0aW9uIjoiMjAyNi0xMS0yNFQwOTo0NTowMFoiLCJjb25kaXRpb25zIjpbXX0=',
      'X-Amz-Signature': '...',
    },
    expiresAt: '2026-11-24T09:45:00Z',
  },
};

/** The `422` body of a job whose upload is not there. */
export const UPLOAD_NOT_FOUND_EXAMPLE: Example<z.input<typeof errorResponseBody>> = {
  summary: 'The upload expired, or was never made',
  value: {
    error: {
      code: 'UPLOAD_NOT_FOUND',
      message: `No upload at "uploads/${UPLOAD_ID}": no object has this key (never uploaded, or expired). Upload with POST /uploads first, then submit its key.`,
      details: { key: `uploads/${UPLOAD_ID}` },
    },
  },
};
