/**
 * The size of a directory packed as a Lambda deployment package (a ZIP of
 * every file, deflated), computed without writing the archive: each entry's
 * deflated bytes (or stored, when deflate would grow it) plus the ZIP format's
 * own headers (a local header and a central-directory entry per file, and the
 * end record).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { deflateRawSync } from 'node:zlib';

const LOCAL_HEADER = 30;
const CENTRAL_ENTRY = 46;
const END_RECORD = 22;

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? filesUnder(dir, relative) : [relative];
  });
}

/** Bytes of `dir` zipped, counting only the files `include` accepts (all by default). */
export function zippedBytes(dir: string, include: (relative: string) => boolean = () => true): number {
  let total = END_RECORD;
  for (const file of filesUnder(dir).filter(include)) {
    const name = Buffer.byteLength(file);
    const raw = readFileSync(path.join(dir, file));
    const packed = Math.min(deflateRawSync(raw, { level: 9 }).length, statSync(path.join(dir, file)).size);
    total += LOCAL_HEADER + name + packed + CENTRAL_ENTRY + name;
  }
  return total;
}
