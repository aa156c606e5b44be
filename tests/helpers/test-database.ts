import { mkdtemp, chmod, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { prepareDatabase } from '@/lib/db/setup';
import { startEmbeddedPostgres } from '@/server/db/embedded-postgres';

/**
 * A fresh database for one test run: created on the server of TEST_DATABASE_URL / DATABASE_URL
 * (CI points these at the machine's Postgres), else on an embedded Postgres in a temporary folder.
 * Migrated with our runner. `drop()` removes all of it again.
 */
export interface TestDatabase {
  url: string;
  adminUrl: string;
  name: string;
  drop: () => Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createTestDatabase(prefix = 'deepboard_test'): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | null = null;
  let tmp: string | null = null;
  let adminUrl: string;
  if (serverUrl) {
    adminUrl = withDatabase(serverUrl, 'postgres');
  } else {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'deepboard-testdb-'));
    await chmod(tmp, 0o755); // the server may run as user postgres
    const port = 20000 + Math.floor(Math.random() * 20000);
    const db = await startEmbeddedPostgres({ dataDir: tmp, port, database: 'postgres' });
    stopEmbedded = db.stop;
    adminUrl = db.url;
  }
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  await prepareDatabase(url);
  return {
    url,
    adminUrl,
    name,
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
      await c.end();
      if (stopEmbedded) await stopEmbedded();
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  };
}
