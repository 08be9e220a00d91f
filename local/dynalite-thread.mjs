// dynalite in its own thread: it parses every condition and update expression
// with a PEG parser, which would otherwise take the runtime's main thread.
// Plain JavaScript so the thread needs no TypeScript loader.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite');

/**
 * dynalite re-parses every expression with a PEG parser, which made it the
 * runtime's bottleneck (about 1.5 ms per UpdateItem). Workers send the same few
 * expressions with different values, so a parse is cached by expression, names
 * and value *types*; a hit clones the tree and puts this request's values where
 * the cached one had its own, and marks the same names and values used.
 * Expressions whose validity can depend on the values themselves (BETWEEN
 * compares its bounds) are never cached.
 */
/**
 * Copies a parse tree. The trees hold only arrays, plain objects and primitives,
 * which this copies several times faster than structuredClone (that went through
 * the serializer and took a tenth of the thread's time); anything else falls back to it.
 */
function cloneTree(node) {
  // As structuredClone would, refuse functions, so such a tree is never cached and shared.
  if (typeof node === 'function') throw new TypeError('a parse tree with a function is not cached');
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map(cloneTree);
  const proto = Object.getPrototypeOf(node);
  if (proto !== Object.prototype && proto !== null) return structuredClone(node);
  const copy = {};
  for (const key in node) copy[key] = cloneTree(node[key]);
  return copy;
}

function memoize(parser) {
  const original = parser.parse.bind(parser);
  const cache = new Map();
  parser.parse = (str, options) => {
    const context = options?.context;
    if (!context || /between/i.test(str)) return original(str, options);
    const vals = context.attrVals ?? {};
    const key = JSON.stringify([
      str,
      context.attrNames ?? null,
      Object.entries(vals).map(([k, v]) => [k, Object.keys(v ?? {})]),
      context.isKeyCondition === true,
    ]);
    const hit = cache.get(key);
    if (hit) {
      for (const name of hit.usedNames) delete context.unusedAttrNames?.[name];
      for (const name of hit.usedVals) delete context.unusedAttrVals?.[name];
      const tree = cloneTree(hit.tree);
      for (const [path, name] of hit.slots) {
        let node = tree;
        for (const step of path.slice(0, -1)) node = node[step];
        node[path[path.length - 1]] = vals[name];
      }
      return tree;
    }
    const namesBefore = Object.keys(context.unusedAttrNames ?? {});
    const valsBefore = Object.keys(context.unusedAttrVals ?? {});
    const tree = original(str, options);
    if (typeof tree !== 'object' || tree === null) return tree;
    const slots = [];
    const byRef = new Map(Object.entries(vals).map(([k, v]) => [v, k]));
    const walk = (node, path) => {
      if (node === null || typeof node !== 'object') return;
      const name = byRef.get(node);
      if (name !== undefined && path.length) {
        slots.push([path, name]);
        return;
      }
      for (const [k, child] of Object.entries(node)) walk(child, [...path, Array.isArray(node) ? Number(k) : k]);
    };
    walk(tree, []);
    try {
      cache.set(key, {
        tree: cloneTree(tree),
        slots,
        usedNames: namesBefore.filter((n) => !(n in (context.unusedAttrNames ?? {}))),
        usedVals: valsBefore.filter((n) => !(n in (context.unusedAttrVals ?? {}))),
      });
    } catch {
      // A tree that cannot be cloned is simply not cached.
    }
    if (cache.size > 1000) cache.delete(cache.keys().next().value);
    return tree;
  };
}
for (const name of ['conditionParser', 'updateParser', 'projectionParser']) memoize(require(`dynalite/db/${name}`));
const server = dynalite({
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
  ...(workerData.path ? { path: workerData.path } : {}),
});
server.on('error', (error) => parentPort.postMessage({ type: 'error', message: error.message }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'listening', port: server.address().port }));
parentPort.on('message', (message) => {
  if (message === 'close') server.close(() => parentPort.postMessage({ type: 'closed' }));
});
