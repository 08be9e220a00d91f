// One Lambda execution environment, run in a worker thread by local/lambda-function.ts.
// Plain JavaScript on purpose: like Lambda's own runtime bootstrap, it must load
// without any TypeScript loader, in a thread whose environment is the function's.
import { existsSync, readFileSync } from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { codeDir, handler, sourceMaps } = workerData;

if (sourceMaps) process.setSourceMapsEnabled(true);

/** Error in the shape Lambda reports it: errorType, errorMessage, trace. */
function errorPayload(error, fallbackType) {
  if (error instanceof Error) {
    return {
      errorType: error.name && error.name !== 'Error' ? error.name : (fallbackType ?? 'Error'),
      errorMessage: error.message,
      trace: String(error.stack ?? '').split('\n'),
    };
  }
  return { errorType: fallbackType ?? 'Error', errorMessage: String(error), trace: [] };
}

/**
 * On Lambda only the code directory's own package.json can make a .js file ESM.
 * Here the assembly sits inside the project, whose package.json may say
 * "type": "module", so the format is decided as Lambda would, not by Node's lookup.
 */
function isModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  const manifest = path.join(codeDir, 'package.json');
  return existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).type === 'module';
}

/** Loads a CommonJS file as CommonJS, whatever package.json above the code directory says. */
function loadCommonJs(file) {
  const mod = new Module(file, undefined);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  mod._compile(readFileSync(file, 'utf8'), file);
  return mod.exports;
}

/** Resolves `dir/file.export` as Lambda's Node.js runtime does: .js, .mjs, then .cjs. */
async function loadHandler() {
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  const exportPath = handler.slice(dot + 1);
  const base = path.resolve(codeDir, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => existsSync(f));
  if (!file) {
    const error = new Error(`Cannot find module '${modulePath}' in ${codeDir}`);
    error.name = 'Runtime.ImportModuleError';
    throw error;
  }
  const mod = isModule(file) ? await import(pathToFileURL(file).href) : loadCommonJs(file);
  let fn = mod;
  for (const key of exportPath.split('.')) fn = fn?.[key];
  if (typeof fn !== 'function') {
    const error = new Error(`${handler} is undefined or not exported`);
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return fn;
}

let fn;
try {
  fn = await loadHandler();
  parentPort.postMessage({ type: 'ready' });
} catch (error) {
  parentPort.postMessage({ type: 'init-error', error: errorPayload(error, 'Runtime.ImportModuleError') });
}

function invoke(event, context) {
  // Callback-style handlers (event, context, callback) are still supported by the Node.js runtime.
  if (fn.length >= 3) {
    return new Promise((resolve, reject) => {
      const done = (error, result) => (error ? reject(error) : resolve(result));
      const returned = fn(event, context, done);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => fn(event, context));
}

parentPort.on('message', async (message) => {
  if (message.type !== 'invoke' || !fn) return;
  const { id, event, context: meta, hang } = message;
  const context = {
    ...meta,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, meta.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await invoke(event, context);
    // Fault injection (QW_FAULTS hang): the handler's work is done but the invocation never answers,
    // as when an open handle or a stuck promise keeps it from returning; the runtime's timeout ends it.
    if (hang) await new Promise(() => undefined);
    // Lambda serializes the result as JSON; undefined becomes null.
    const payload = JSON.stringify(result ?? null);
    parentPort.postMessage({ type: 'result', id, ok: true, payload });
  } catch (error) {
    console.error(
      `${new Date().toISOString()}\t${meta.awsRequestId}\tERROR\tInvoke Error\t${JSON.stringify(errorPayload(error))}`,
    );
    parentPort.postMessage({ type: 'result', id, ok: false, error: errorPayload(error) });
  }
});
