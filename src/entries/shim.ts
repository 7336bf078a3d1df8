/**
 * Must be the first import of every entry: google-gax (Cloud SQL, GKE) reads `__dirname`, which
 * an ES module bundle does not define (the bundle starts with `__dirname is not defined`). Defining
 * it from import.meta.url fixes that.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const g = globalThis as { __dirname?: string; __filename?: string };
if (g.__filename === undefined) g.__filename = fileURLToPath(import.meta.url);
if (g.__dirname === undefined) g.__dirname = dirname(g.__filename);
