import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { projectRoot } from '../paths';
import { ignoreError } from '../log';

/**
 * Applies the committed SQL migrations under prisma/migrations/ and records them in Prisma's
 * `_prisma_migrations` table exactly as `prisma migrate deploy` does (same columns, SHA-256
 * checksum of migration.sql, applied_steps_count = 1), so either tool accepts the other's state.
 * Prisma's schema engine is a native download that is unavailable on some hosts; this is not.
 */

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  applied: string[];
  pending: string[];
  /** Applied migrations whose file changed since (checksum mismatch). */
  modified: string[];
  /** Rows of failed attempts (finished_at null, not rolled back). */
  failed: string[];
}

export function migrationsDir(): string {
  return path.join(projectRoot(), 'prisma', 'migrations');
}

// Serialises concurrent runners (two workers and a web server starting together).
const ADVISORY_LOCK_KEY = 72707369;

const CREATE_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export function checksum(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

export async function readMigrations(dir = migrationsDir()): Promise<MigrationFile[]> {
  const entries = await readdir(/*turbopackIgnore: true*/ dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const out: MigrationFile[] = [];
  for (const name of names) {
    const sql = await readFile(/*turbopackIgnore: true*/ path.join(dir, name, 'migration.sql'), 'utf8').catch(() => null);
    if (sql === null) continue;
    out.push({ name, sql, checksum: checksum(sql) });
  }
  return out;
}

interface Row {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

async function appliedRows(client: pg.ClientBase): Promise<Row[]> {
  const exists = await client.query(`SELECT to_regclass('"_prisma_migrations"') AS t`);
  if (!exists.rows[0]?.t) return [];
  const res = await client.query<Row>(`SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`);
  return res.rows;
}

function statusFrom(files: MigrationFile[], rows: Row[]): MigrationStatus {
  const done = new Map<string, Row>();
  const failed: string[] = [];
  for (const r of rows) {
    if (r.rolled_back_at) continue;
    if (r.finished_at) done.set(r.migration_name, r);
    else failed.push(r.migration_name);
  }
  const applied: string[] = [];
  const pending: string[] = [];
  const modified: string[] = [];
  for (const f of files) {
    const row = done.get(f.name);
    if (!row) pending.push(f.name);
    else {
      applied.push(f.name);
      if (row.checksum !== f.checksum) modified.push(f.name);
    }
  }
  return { applied, pending, modified, failed };
}

export async function migrationStatus(connectionString: string, dir = migrationsDir()): Promise<MigrationStatus> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return statusFrom(await readMigrations(dir), await appliedRows(client));
  } finally {
    await client.end();
  }
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Applies every pending migration, each in its own transaction. Safe to run concurrently. */
export async function migrate(connectionString: string, opts: { dir?: string; log?: (line: string) => void } = {}): Promise<MigrateResult> {
  const log = opts.log ?? (() => {});
  const files = await readMigrations(opts.dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(CREATE_TABLE);
    const status = statusFrom(files, await appliedRows(client));
    if (status.failed.length) {
      throw new MigrationError(
        `migration ${status.failed[0]} failed earlier and was not rolled back; fix the database, then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${status.failed[0]}')`,
        status.failed[0],
      );
    }
    if (status.modified.length) {
      log(`warning: applied migration(s) changed on disk since: ${status.modified.join(', ')}`);
    }
    const applied: string[] = [];
    for (const name of status.pending) {
      const file = files.find((f) => f.name === name)!;
      const id = randomUUID();
      await client.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`, [id, file.checksum, name]);
      try {
        await client.query('BEGIN');
        await client.query(file.sql);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK').catch(ignoreError('the migration already failed and is reported; ending the connection rolls back anyway'));
        const message = err instanceof Error ? err.message : String(err);
        await client.query(`UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1`, [id, message]);
        throw new MigrationError(`migration ${name} failed: ${message}`, name);
      }
      await client.query(`UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1`, [id]);
      log(`applied ${name}`);
      applied.push(name);
    }
    return { applied, alreadyApplied: status.applied.length };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_KEY]).catch(ignoreError('ending the connection just below releases the lock too'));
    await client.end();
  }
}
