import { S3ServiceException } from '@aws-sdk/client-s3';

/** An error as the S3 client throws it: its name, a client or server fault by the HTTP status, and that status. */
export function s3Error(name: string, status: number, message = name): S3ServiceException {
  return new S3ServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}
