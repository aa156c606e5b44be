#!/usr/bin/env node
// The production web server (server/web/main.ts: Next plus the direct REST API), run through tsx
// like the CLI. Takes `next start`'s flags: -p PORT, -H HOSTNAME, --keepAliveTimeout MS.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.env.DEEPBOARD_ROOT ??= root;
// As `next start`: production unless NODE_ENV says otherwise.
process.env.NODE_ENV ||= 'production';
register({ tsconfig: path.join(root, 'tsconfig.json') });
await import(pathToFileURL(path.join(root, 'server', 'web', 'main.ts')).href);
