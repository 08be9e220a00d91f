import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { type App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueWorkersStack, type StorageSettings } from '../../lib/queue-workers-stack.js';
import { testApp } from '../helpers/cdk-app.js';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

function synth(storage?: StorageSettings) {
  // Bundled: some tests read what the assets hold (sharp's binaries, the API's bundle).
  const app = testApp({ bundle: true });
  const stack = new QueueWorkersStack(app, 'Test', storage ? { storage } : {});
  const template = Template.fromStack(stack);
  outdirs.push(app.outdir);
  return { app, stack, template };
}

/** The function whose Description is `description`, and its logical id. */
function functionNamed(template: Template, description: string): [string, Resource] {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).find(
    ([, f]) => f.Properties.Description === description,
  );
  if (!found) throw new Error(`no function described "${description}"`);
  return found as [string, Resource];
}

/** Every S3 grant of a function's role, as `action prefix*` strings. */
function s3Grants(template: Template, description: string): string[] {
  const [id, fn] = functionNamed(template, description);
  const role = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    JSON.stringify(p.Properties.Roles).includes(`"${role}"`),
  );
  if (!policies.length) throw new Error(`no policy for ${id}`);
  return policies
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
    .flatMap((s) =>
      [s.Action]
        .flat()
        .filter((a) => a.startsWith('s3:'))
        .map((a) => {
          const resource = JSON.stringify(s.Resource);
          const prefix = /\/([a-z]+\/)\*"/.exec(resource)?.[1] ?? `the whole bucket (${resource})`;
          return `${a} ${prefix}*`;
        }),
    )
    .sort();
}

/** The directory of a function's bundled asset in the cloud assembly. */
function assetDir(app: App, template: Template, description: string): string {
  const [, fn] = functionNamed(template, description);
  const key = (fn.Properties.Code as { S3Key: string }).S3Key;
  return path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`);
}

/** The machine an ELF file was built for, from its header's e_machine field. */
function elfMachine(file: string): string {
  const header = Buffer.alloc(20);
  const fd = openSync(file, 'r');
  readSync(fd, header, 0, 20, 0);
  closeSync(fd);
  if (header.toString('latin1', 1, 4) !== 'ELF') return 'not ELF';
  const machine = header.readUInt16LE(18);
  return machine === 0xb7 ? 'aarch64' : machine === 0x3e ? 'x86-64' : `machine ${machine}`;
}

const IMAGE_WORKER = 'queue-workers worker for job type image.thumbnail';
const SIMULATE_WORKER = 'queue-workers worker for job type simulate';
const API = 'queue-workers HTTP job API';

const outdirs: string[] = [];
afterAll(() => {
  // Each synth stages the image worker's asset, sharp's 20 MB included, in a temporary directory.
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe('the job bucket', () => {
  let template: Template;
  let app: App;
  beforeAll(() => {
    ({ template, app } = synth());
  });

  it('is encrypted, blocks every kind of public access, has ACLs off, and is kept when the stack goes', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        CorsConfiguration: Match.absent(),
      }),
    });
  });

  it('denies requests without TLS, or with TLS older than 1.2', () => {
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    if (!policy) throw new Error('no bucket policy');
    const denies = (policy.Properties.PolicyDocument.Statement as Statement[]).filter((s) => s.Effect === 'Deny');
    expect(denies.map((s) => JSON.stringify(s.Condition)).sort()).toEqual([
      '{"Bool":{"aws:SecureTransport":"false"}}',
      '{"NumericLessThan":{"s3:TlsVersion":1.2}}',
    ]);
  });

  it('expires uploads after a day, payloads and results with the job retention, and keeps thumbnails', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          { Id: 'expire-uploads', Prefix: 'uploads/', ExpirationInDays: 1, Status: 'Enabled' },
          { Id: 'expire-payloads', Prefix: 'payloads/', ExpirationInDays: 30, Status: 'Enabled' },
          { Id: 'expire-results', Prefix: 'results/', ExpirationInDays: 30, Status: 'Enabled' },
          {
            Id: 'abort-incomplete-multipart-uploads',
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            Status: 'Enabled',
          },
        ],
      },
    });
  });

  it('keeps payloads 21 days even with a shorter retention: a dead letter may be redriven that late', () => {
    const app7 = testApp();
    const short = Template.fromStack(new QueueWorkersStack(app7, 'Short', { retentionDays: 7 }));
    outdirs.push(app7.outdir);
    const [bucket] = Object.values(short.findResources('AWS::S3::Bucket'));
    if (!bucket) throw new Error('no bucket');
    const { Rules: rules } = bucket.Properties.LifecycleConfiguration as {
      Rules: { Id: string; ExpirationInDays?: number }[];
    };
    expect(rules.find((r) => r.Id === 'expire-payloads')?.ExpirationInDays).toBe(21);
    expect(rules.find((r) => r.Id === 'expire-results')?.ExpirationInDays).toBe(7);
  });

  it('lets browsers of the configured origins POST uploads (CORS), and only those', () => {
    const { template: withOrigins } = synth({
      uploadOrigins: ['https://app.example.com'],
      thumbnailExpirationDays: 90,
    });
    withOrigins.hasResourceProperties('AWS::S3::Bucket', {
      CorsConfiguration: {
        CorsRules: [Match.objectLike({ AllowedMethods: ['POST'], AllowedOrigins: ['https://app.example.com'] })],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          { Id: 'expire-thumbnails', Prefix: 'thumbnails/', ExpirationInDays: 90, Status: 'Enabled' },
        ]),
      },
    });
  });

  it('grants the API exactly: presign and check uploads, store payloads, read results, presign thumbnail downloads', () => {
    expect(s3Grants(template, API)).toEqual([
      's3:GetObject results/*',
      's3:GetObject thumbnails/*',
      's3:GetObject uploads/*',
      's3:PutObject payloads/*',
      's3:PutObject uploads/*',
    ]);
  });

  it('grants every worker the claim check only: read payloads, write results', () => {
    expect(s3Grants(template, SIMULATE_WORKER)).toEqual(['s3:GetObject payloads/*', 's3:PutObject results/*']);
  });

  it('grants the image worker the claim check, reading uploads and writing thumbnails', () => {
    expect(s3Grants(template, IMAGE_WORKER)).toEqual([
      's3:GetObject payloads/*',
      's3:GetObject uploads/*',
      's3:PutObject results/*',
      's3:PutObject thumbnails/*',
    ]);
  });

  it('tells the API and every worker the bucket, and the API its upload and download settings', () => {
    const bucket = { Ref: Object.keys(template.findResources('AWS::S3::Bucket'))[0] };
    for (const description of [API, IMAGE_WORKER, SIMULATE_WORKER]) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: description,
        Environment: { Variables: Match.objectLike({ JOB_BUCKET_NAME: bucket }) },
      });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: API,
      Environment: {
        Variables: Match.objectLike({
          UPLOAD_MAX_BYTES: String(25 * 1024 * 1024),
          UPLOAD_URL_SECONDS: '900',
          DOWNLOAD_URL_SECONDS: '3600',
        }),
      },
    });
    template.hasOutput('BucketName', { Value: bucket });
  });

  it('gives the image worker 1,536 MB', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Description: IMAGE_WORKER, MemorySize: 1536 });
  });

  it("bundles sharp for Lambda's arm64 into the image worker: the asset holds the linux-arm64 binaries, no x64", () => {
    // Prepare
    const modules = path.join(assetDir(app, template, IMAGE_WORKER), 'node_modules', '@img');
    const bindings = path.join(modules, 'sharp-linux-arm64', 'lib');
    const libvips = path.join(modules, 'sharp-libvips-linux-arm64', 'lib');
    // Act
    const installed = readdirSync(modules).sort();
    const binding = readdirSync(bindings).find((f) => /^sharp-linux-arm64.*\.node$/.test(f));
    const vipsLibrary = readdirSync(libvips).find((f) => f.startsWith('libvips-cpp.so'));
    // Assess
    expect(installed).toEqual(['colour', 'sharp-libvips-linux-arm64', 'sharp-linux-arm64']);
    expect(binding && elfMachine(path.join(bindings, binding))).toBe('aarch64');
    expect(vipsLibrary && elfMachine(path.join(libvips, vipsLibrary))).toBe('aarch64');
  });

  it('leaves sharp out of every bundle, and installs it for no other function', () => {
    for (const description of [API, IMAGE_WORKER, SIMULATE_WORKER]) {
      const dir = assetDir(app, template, description);
      const bundle = readFileSync(path.join(dir, 'index.js'), 'utf8');
      // A dynamic import of an external package stays one in the CommonJS bundle: loaded only when a job asks.
      expect(bundle, description).toMatch(/import\("sharp"\)/);
      expect(bundle, description).not.toMatch(/sharp-linux-arm64/);
      expect(existsSync(path.join(dir, 'node_modules')), description).toBe(description === IMAGE_WORKER);
    }
  });

  it("bundles the presigners with the API, and leaves the runtime's S3 client out", () => {
    const bundle = readFileSync(path.join(assetDir(app, template, API), 'index.js'), 'utf8');
    expect(bundle).toMatch(/require\("@aws-sdk\/client-s3"\)/);
    expect(bundle).not.toMatch(/require\("@aws-sdk\/s3-(presigned-post|request-presigner)"\)/);
    expect(bundle).toMatch(/content-length-range|X-Amz-Expires/);
  });

  it("passes cdk-nag's AwsSolutions pack with server access logs, and acknowledges none then", () => {
    // Prepare
    const app2 = testApp();
    const logs = Bucket.fromBucketName(new Stack(app2, 'Shared'), 'Logs', 'access-logs');
    const stack = new QueueWorkersStack(app2, 'Logged', { storage: { serverAccessLogsBucket: logs } });
    // Act
    const report = new AwsSolutionsChecks(app2).validateScope(app2);
    // Assess
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: 'access-logs', LogFilePrefix: 'job-bucket/' },
    });
  });

  it.each<[string, StorageSettings, RegExp]>([
    ['an upload limit over what the image worker reads', { uploadMaxBytes: 200 * 1024 * 1024 }, /uploadMaxBytes is/],
    ['a thumbnail expiry of 0 days', { thumbnailExpirationDays: 0 }, /whole days, at least 1/],
    ['an upload URL valid for 8 days', { uploadUrlExpiry: Duration.days(8) }, /from 1 s to 7 days/],
  ])('refuses %s at synth, saying how to fix it', (_case, storage, message) => {
    expect(() => synth(storage)).toThrow(message);
  });
});
