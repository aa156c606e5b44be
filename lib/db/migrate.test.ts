import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksum, readMigrations } from './migrate';

describe('migration files', () => {
  it('checksums like Prisma: SHA-256 hex of migration.sql', () => {
    expect(checksum('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('reads folders in name order and skips folders without migration.sql', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mig-'));
    for (const [name, sql] of [
      ['20260102_b', 'SELECT 2;'],
      ['20260101_a', 'SELECT 1;'],
    ]) {
      await mkdir(path.join(dir, name!));
      await writeFile(path.join(dir, name!, 'migration.sql'), sql!);
    }
    await mkdir(path.join(dir, '20260103_empty'));
    const files = await readMigrations(dir);
    expect(files.map((f) => f.name)).toEqual(['20260101_a', '20260102_b']);
    expect(files[0]!.checksum).toBe(checksum('SELECT 1;'));
  });

  it('ships a migration for the committed schema', async () => {
    const files = await readMigrations(path.resolve(import.meta.dirname, '..', '..', 'prisma', 'migrations'));
    expect(files.length).toBeGreaterThan(0);
    expect(files[0]!.sql).toContain('CREATE TABLE "User"');
  });
});

describe('schema and migrations stay in step', () => {
  it('prisma/schema.prisma equals the snapshot the migrations were generated from (run `npm run db:new-migration -- NAME`)', async () => {
    const { readFile } = await import('node:fs/promises');
    const dir = path.resolve(import.meta.dirname, '..', '..', 'prisma');
    const [schema, snapshot] = await Promise.all([readFile(path.join(dir, 'schema.prisma'), 'utf8'), readFile(path.join(dir, 'migrations', 'schema.snapshot.prisma'), 'utf8')]);
    expect(schema).toBe(snapshot);
  });
});
