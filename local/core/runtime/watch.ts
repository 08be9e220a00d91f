import { type FSWatcher, statSync, watch } from 'node:fs';
import * as path from 'node:path';

/**
 * Calls `onChange` with the files that changed (absolute paths; undefined when
 * the platform did not name one) once a burst of changes under `sources`
 * (relative to `projectDir`) has settled for `debounceMs`. Returns the function that stops watching.
 */
export function watchSources(
  projectDir: string,
  sources: readonly string[],
  onChange: (changed: string[] | undefined) => void,
  debounceMs = 150,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let files: Set<string> | undefined = new Set();
  const changed = (root: string) => (_event: string, filename: string | null) => {
    if (filename === null) files = undefined;
    else files?.add(path.resolve(root, filename));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const burst = files ? [...files] : undefined;
      files = new Set();
      onChange(burst);
    }, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const source of sources) {
    const root = path.resolve(projectDir, source);
    try {
      // A watched file (cdk.json) reports its own name; a folder, names under it.
      const base = statSync(root).isDirectory() ? root : path.dirname(root);
      watchers.push(watch(root, { recursive: true }, changed(base)));
    } catch {
      // A source that does not exist (an app without lambda/) is simply not watched.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
