#!/usr/bin/env node
// Writes prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the schema
// the committed migrations produce (prisma/migrations/schema.snapshot.prisma) and
// prisma/schema.prisma, then updates the snapshot. Prisma's own `migrate dev` needs its native
// schema engine; `migrate diff` between two schema files does not.
//   npm run db:new-migration -- add_runs
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: new-migration.mjs NAME (lowercase letters, digits, underscores)');
  process.exit(2);
}
const snapshot = path.join(root, 'prisma', 'migrations', 'schema.snapshot.prisma');
const schema = path.join(root, 'prisma', 'schema.prisma');
const cli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const res = spawnSync(process.execPath, [cli, 'migrate', 'diff', '--from-schema-datamodel', snapshot, '--to-schema-datamodel', schema, '--script'], {
  cwd: root,
  encoding: 'utf8',
  env: { ...process.env, DATABASE_URL: process.env.DATABASE_URL || 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
if (res.status !== 0) {
  console.error(res.stderr || res.stdout);
  process.exit(1);
}
const sql = res.stdout;
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log('no schema changes since the last migration');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
const dir = path.join(root, 'prisma', 'migrations', `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
writeFileSync(path.join(dir, 'migration.sql'), sql);
copyFileSync(schema, snapshot);
console.log(`wrote ${path.relative(root, dir)}/migration.sql`);
