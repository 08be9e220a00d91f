// dynalite in its own thread: it parses every condition and update expression
// with a PEG parser, which would otherwise take the runtime's main thread. Its
// parse cache lives in dynalite itself (patches/dynalite+4.0.0.patch).
// Plain JavaScript so the thread needs no TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(workerData.path ? { path: workerData.path } : {}),
});
server.on('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (message) => {
  // close() also closes the LevelDB store, so persisted data is flushed before the thread ends.
  if (message === 'close') server.close(() => parentPort.postMessage({ type: 'closed' }));
});
