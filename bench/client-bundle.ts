/**
 * The client's browser bundle, for `npm run bench:bundle`: `bench/client-entry.ts`
 * bundled with esbuild for a browser (ES2022, minified), its size, and what
 * its metafile says went in. A type-only import of the registry must bring
 * none of the project's code, zod or the AWS SDK; a value import of the
 * registry, bundled the same way, shows what that looks like.
 */
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';

/** Inputs no client bundle may hold: the project's functions, zod, the AWS SDK and its Smithy core. */
const FORBIDDEN = [
  { name: 'lambda/ (handlers, registry)', pattern: /^lambda\// },
  { name: 'zod', pattern: /node_modules\/zod\// },
  { name: 'AWS SDK', pattern: /node_modules\/@aws-sdk\// },
  { name: 'Smithy', pattern: /node_modules\/@smithy\// },
];

/** What one bundle is made of. */
export interface BundleReport {
  readonly minifiedKb: number;
  readonly gzipKb: number;
  /** Bytes in the output per package (or `client/src`), largest first. */
  readonly parts: readonly { readonly name: string; readonly bytes: number }[];
  /** Names of {@link FORBIDDEN} inputs found in the bundle. */
  readonly forbidden: readonly string[];
}

function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (match?.[1]) return match[1];
  return input.split('/').slice(0, 2).join('/');
}

function report(code: Uint8Array, metafile: Metafile): BundleReport {
  const output = Object.values(metafile.outputs)[0];
  const parts = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    parts.set(packageOf(input), (parts.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  const inputs = Object.keys(metafile.inputs);
  return {
    minifiedKb: code.length / 1024,
    gzipKb: gzipSync(code).length / 1024,
    parts: [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    forbidden: FORBIDDEN.filter((f) => inputs.some((i) => f.pattern.test(i))).map((f) => f.name),
  };
}

/** Bundles `contents` (a module in the project root) for a browser, as a web app's bundler would. */
async function bundle(contents: string, root: string): Promise<BundleReport> {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    // Only the value import of the registry reaches these (and the image job's sharp and watermark PNG);
    // a browser bundler would fail on them just the same.
    external: ['node:*', 'sharp'],
    loader: { '.png': 'binary' },
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error('esbuild wrote no bundle');
  return report(file.contents, result.metafile);
}

/** The client as a web app bundles it, and, for contrast, with the registry imported as a value. */
export async function clientBundles(root: string): Promise<{ typeOnly: BundleReport; valueImport: BundleReport }> {
  const typeOnly = await bundle(`export * from './bench/client-entry.ts';`, root);
  const valueImport = await bundle(
    `export * from './bench/client-entry.ts';\nexport { jobTypes } from './lambda/jobs/registry.ts';`,
    root,
  );
  return { typeOnly, valueImport };
}
