import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
// Inside the repository (in the git-ignored .qw/), so that the build finds aws4fetch in node_modules as an install would.
mkdirSync(path.join(root, '.qw'), { recursive: true });
const out = mkdtempSync(path.join(root, '.qw', 'client-build-'));

beforeAll(() => {
  execFileSync('npx', ['tsx', 'client/scripts/build.ts', '--out', out], { cwd: root, stdio: 'pipe' });
}, 60_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the build for publishing', () => {
  it('writes a public manifest whose exports point at compiled files that exist', () => {
    // Act
    const manifest = JSON.parse(readFileSync(path.join(out, 'package.json'), 'utf8')) as {
      private?: boolean;
      exports: { '.': { types: string; default: string } };
      dependencies: Record<string, string>;
    };

    // Assess
    expect(manifest.private).toBeUndefined();
    expect(existsSync(path.join(out, manifest.exports['.'].default))).toBe(true);
    expect(existsSync(path.join(out, manifest.exports['.'].types))).toBe(true);
    expect(Object.keys(manifest.dependencies)).toEqual(['aws4fetch']);
    expect(existsSync(path.join(out, 'README.md'))).toBe(true);
  });

  it('runs in plain Node, without tsx: submits a job to a fake API', () => {
    // Prepare: a script that serves one answer and submits to it with the built package.
    const script = `
      import { createServer } from 'node:http';
      import { createJobClient, JobApiError } from ${JSON.stringify(path.join(out, 'index.js'))};
      const server = createServer((req, res) => res.writeHead(202, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jobId: 'j1', type: 'simulate', status: 'queued', statusUrl: 'u' })));
      server.listen(0, '127.0.0.1', async () => {
        const url = 'http://127.0.0.1:' + server.address().port;
        const client = createJobClient({ url, auth: { iam: { accessKeyId: 'a', secretAccessKey: 's' }, region: 'eu-west-1' } });
        const accepted = await client.submit('simulate', {});
        console.log(JSON.stringify({ accepted, errorClass: typeof JobApiError }));
        server.close();
      });`;

    // Act
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });

    // Assess
    expect(JSON.parse(printed)).toEqual({
      accepted: { jobId: 'j1', type: 'simulate', status: 'queued', statusUrl: 'u' },
      errorClass: 'function',
    });
  });
});
