/**
 * The project's zod: the tree-shakable `zod/mini` build with English messages
 * only. Classic `zod` pulls every locale into the bundle (about 450 KB
 * minified); this keeps a function's whole bundle in tens of KB.
 * Import it as a namespace (`import * as z from '../shared/zod.js'`) so the
 * bundler keeps only what is used.
 */
import { config } from 'zod/mini';
import { en } from 'zod/v4/locales';

config(en());

export * from 'zod/mini';
