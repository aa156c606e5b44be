#!/usr/bin/env node
// `prisma generate` with the JS engine downloads nothing, but only when the datasource URL is set:
// without it the CLI falls back to fetching a native query engine. Any syntactically valid URL
// will do; nothing connects to it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'postgresql://localhost:5432/deepboard' };
const res = spawnSync(process.execPath, [cli, 'generate'], { stdio: 'inherit', env });
process.exit(res.status ?? 1);
