#!/usr/bin/env node
// Runs a TypeScript file of this project with tsx (paths from tsconfig.json), e.g. test servers.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.DEEPBOARD_ROOT ??= root;
register({ tsconfig: path.join(root, 'tsconfig.json') });
const file = process.argv[2];
if (!file) {
  console.error('usage: run-ts.mjs FILE.ts [ARGS…]');
  process.exit(2);
}
process.argv.splice(1, 1);
await import(pathToFileURL(path.resolve(file)).href);
