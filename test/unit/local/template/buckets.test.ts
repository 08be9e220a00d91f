import { describe, expect, it } from 'vitest';
import { localBucketName } from '../../../../local/core/template/identities.js';
import { nodeFunction, planOf } from './fixtures.js';

describe('reading buckets', () => {
  it('names an unnamed bucket after the stack and its logical id, as S3 allows, and resolves refs to it', () => {
    // Act
    const plan = planOf({
      FilesBucket7C17EE2E: { Type: 'AWS::S3::Bucket', Properties: {} },
      Handler: nodeFunction({
        Environment: {
          Variables: {
            BUCKET: { Ref: 'FilesBucket7C17EE2E' },
            ARN: { 'Fn::GetAtt': ['FilesBucket7C17EE2E', 'Arn'] },
            OBJECTS: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['FilesBucket7C17EE2E', 'Arn'] }, '/uploads/*']] },
          },
        },
      }),
    });
    // Assess
    expect(plan.buckets).toEqual([
      { logicalId: 'FilesBucket7C17EE2E', name: 'shop-filesbucket7c17ee2e', cors: [], expirations: [] },
    ]);
    expect(plan.functions[0]?.environment).toEqual({
      BUCKET: 'shop-filesbucket7c17ee2e',
      ARN: 'arn:aws:s3:::shop-filesbucket7c17ee2e',
      OBJECTS: 'arn:aws:s3:::shop-filesbucket7c17ee2e/uploads/*',
    });
  });

  it('keeps a bucket name within 63 valid characters', () => {
    expect(localBucketName('My_Stack', 'Bucket')).toBe('my-stack-bucket');
    expect(localBucketName('S'.repeat(70), 'Bucket')).toHaveLength(63);
  });

  it('reads CORS rules and enabled expiration rules by prefix, and notes what is not emulated', () => {
    // Act
    const plan = planOf({
      Files: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          BucketName: 'files',
          BucketEncryption: { ServerSideEncryptionConfiguration: [] },
          CorsConfiguration: {
            CorsRules: [{ AllowedMethods: ['POST'], AllowedOrigins: ['https://app.example.com'], MaxAge: 3000 }],
          },
          LifecycleConfiguration: {
            Rules: [
              { Id: 'uploads', Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' },
              { Id: 'old', Filter: { Prefix: 'logs/' }, ExpirationInDays: 30, Status: 'Enabled' },
              { Id: 'off', Prefix: 'x/', ExpirationInDays: 2, Status: 'Disabled' },
              { Id: 'multipart', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
            ],
          },
        },
      },
    });
    // Assess
    expect(plan.buckets[0]).toEqual({
      logicalId: 'Files',
      name: 'files',
      cors: [
        {
          allowedMethods: ['POST'],
          allowedOrigins: ['https://app.example.com'],
          allowedHeaders: [],
          exposedHeaders: [],
          maxAgeSeconds: 3000,
        },
      ],
      expirations: [
        { id: 'uploads', prefix: 'uploads/', days: 1 },
        { id: 'old', prefix: 'logs/', days: 30 },
      ],
    });
    expect(plan.notes).toEqual([
      'Bucket files: encryption not emulated.',
      "Bucket files: lifecycle expirations run once a minute, counted from each object's upload (S3 rounds up to midnight UTC).",
    ]);
  });
});
