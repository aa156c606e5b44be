import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { env, settingsFrom } from '@/lib/env';
import { dataDir } from '@/lib/paths';
import { processAlive, startEmbeddedPostgres } from './embedded-postgres';

export const DEFAULT_EMBEDDED_PORT = 54329;

export interface ResolvedDatabase {
  url: string;
  kind: 'external' | 'embedded' | 'embedded-running';
  /** Stops what this call started (nothing for an external or already running database). */
  stop: () => Promise<void>;
}

/** DEEPBOARD_PG_PORT (default DEFAULT_EMBEDDED_PORT); a bad value throws a SettingsError naming it. */
export function embeddedPort(source: NodeJS.ProcessEnv = process.env): number {
  return settingsFrom(source).DEEPBOARD_PG_PORT;
}

/** The URL of an embedded server that `deepboard start` is running on this data folder, if any. */
export async function runningEmbeddedUrl(dir = dataDir()): Promise<string | null> {
  const pidFile = path.join(dir, 'postgres', 'postmaster.pid');
  const pwFile = path.join(dir, 'postgres.password');
  if (!existsSync(pidFile) || !existsSync(pwFile)) return null;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isFinite(pid) || !processAlive(pid) || !Number.isFinite(port)) return null;
  const password = (await readFile(pwFile, 'utf8')).trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/deepboard`;
}

/**
 * DATABASE_URL when set; else the embedded database: the one already running for this data
 * folder, or (when `startIfNeeded`) a new one that the caller stops.
 */
export async function resolveDatabase(opts: {
  startIfNeeded: boolean;
  /** Use an embedded server that is already running (false: always start one; stale ones are cleaned up). */
  attach?: boolean;
  log?: (l: string) => void;
}): Promise<ResolvedDatabase> {
  const url = env().DATABASE_URL;
  if (url) return { url, kind: 'external', stop: async () => {} };
  const running = opts.attach === false ? null : await runningEmbeddedUrl();
  if (running) return { url: running, kind: 'embedded-running', stop: async () => {} };
  if (!opts.startIfNeeded) {
    throw new Error('no database: set DATABASE_URL, or start Deepboard with `npm start` (it runs the embedded database)');
  }
  const db = await startEmbeddedPostgres({ dataDir: dataDir(), port: embeddedPort(), log: opts.log });
  return { url: db.url, kind: 'embedded', stop: db.stop };
}
