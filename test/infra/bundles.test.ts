import { Template } from 'aws-cdk-lib/assertions';
import { type BuildOptions, build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { jobTypes } from '../../lambda/jobs/registry.js';
import { QueueWorkersStack } from '../../lib/queue-workers-stack.js';
import { testApp } from '../helpers/cdk-app.js';

/** Each function's entry and esbuild options, as the stack declares them for the local runtime. */
function bundlings(): [string, { entry: string; esbuild: BuildOptions }][] {
  const template = Template.fromStack(new QueueWorkersStack(testApp(), 'Test'));
  return Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => [
    id,
    fn.Metadata?.['local:bundling'] as { entry: string; esbuild: BuildOptions },
  ]);
}

describe("the functions' bundles", () => {
  it.each(bundlings())(
    '%s loads every external module with require, never import(), which ignores NODE_PATH in a CommonJS bundle',
    async (_id, bundling) => {
      // Act
      const out = await build({
        ...bundling.esbuild,
        entryPoints: [bundling.entry],
        outdir: 'bundle',
        write: false,
        logLevel: 'silent',
      });
      const code = out.outputFiles.find((f) => f.path.endsWith('.js'))?.text ?? '';

      // Assess
      expect(code).toContain('require("@aws-sdk/');
      // Node's own modules (node:async_hooks, from Powertools) resolve either way, and so do job types'
      // native modules (sharp), loaded lazily: the worker that runs them has them installed beside its bundle.
      const lazy = new Set(jobTypes.flatMap((t) => t.nativeModules).map((m) => `import("${m}")`));
      const imports = code.match(/\bimport\(\s*["'](?!node:)[^"'.][^"']*["']\s*\)/g) ?? [];
      expect(imports.filter((i) => !lazy.has(i))).toEqual([]);
    },
  );
});
