import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { checksum, migrate, migrationStatus, readMigrations } from '@/lib/db/migrate';

/** A throwaway database on the same server, so the runner can be tested from empty. */
let url: string;
let name: string;
const admin = () => new pg.Client({ connectionString: inject('adminDatabaseUrl') });

beforeAll(async () => {
  name = `deepboard_migr_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const c = admin();
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(inject('adminDatabaseUrl'));
  u.pathname = `/${name}`;
  url = u.toString();
});

afterAll(async () => {
  const c = admin();
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await c.end();
});

async function rows(sql: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

describe('migration runner', () => {
  it('applies every committed migration once, concurrently safe, in Prisma’s table format', async () => {
    const files = await readMigrations();
    expect(files.length).toBeGreaterThan(0);
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    expect(results.reduce((n, r) => n + r.applied.length, 0)).toBe(files.length);
    const recorded = await rows(`SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(recorded.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, r] of recorded.entries()) {
      expect(r.checksum).toBe(files[i]!.checksum);
      expect(r.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
      expect(r.rolled_back_at).toBeNull();
    }
    // Tables of the schema exist.
    expect((await rows(`SELECT to_regclass('"User"')::text AS t`))[0].t).toBe('"User"');
    expect(await migrationStatus(url)).toMatchObject({ pending: [], failed: [], modified: [] });
    expect((await migrate(url)).applied).toEqual([]);
  });

  it('rolls back a failing migration, records why, and applies nothing of it', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'migr-'));
    for (const f of await readMigrations()) {
      await mkdir(path.join(dir, f.name));
      await writeFile(path.join(dir, f.name, 'migration.sql'), f.sql);
    }
    const bad = '29990101000000_broken';
    const sql = 'CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";\n';
    await mkdir(path.join(dir, bad));
    await writeFile(path.join(dir, bad, 'migration.sql'), sql);
    await expect(migrate(url, { dir })).rejects.toThrow(/29990101000000_broken failed: .*no_such_table/);
    expect((await rows(`SELECT to_regclass('"half_done"') AS t`))[0].t).toBeNull();
    const rec = await rows(`SELECT checksum, logs, rolled_back_at FROM "_prisma_migrations" WHERE migration_name = '${bad}'`);
    expect(rec).toHaveLength(1);
    expect(rec[0].checksum).toBe(checksum(sql));
    expect(rec[0].rolled_back_at).toBeInstanceOf(Date);
    expect((await migrationStatus(url, dir)).pending).toEqual([bad]);
  });
});
