import { type FSWatcher, watch } from 'node:fs';
import * as path from 'node:path';

/**
 * Calls `onChange` once a burst of changes under `sources` (relative to
 * `projectDir`) has settled for `debounceMs`. Returns the function that stops watching.
 */
export function watchSources(
  projectDir: string,
  sources: readonly string[],
  onChange: () => void,
  debounceMs = 300,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchers: FSWatcher[] = [];
  for (const source of sources) {
    try {
      watchers.push(watch(path.resolve(projectDir, source), { recursive: true }, changed));
    } catch {
      // A source that does not exist (an app without lambda/) is simply not watched.
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
