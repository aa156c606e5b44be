import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function e2eStateFile(port = Number(process.env.E2E_PORT ?? 3210)): string {
  return path.join(os.tmpdir(), `deepboard-e2e-${port}.json`);
}

/** The database the e2e server uses, for specs that must arrange state directly (e.g. expiry). */
export function e2eDatabaseUrl(): string {
  return (JSON.parse(readFileSync(e2eStateFile(), 'utf8')) as { databaseUrl: string }).databaseUrl;
}

/** The artifact folder the e2e server and its worker share. */
export function e2eDataDir(port = Number(process.env.E2E_PORT ?? 3210)): string {
  return path.resolve(import.meta.dirname, '..', '..', '.deepboard', `e2e-${port}`);
}

/**
 * Points this spec process at the e2e server's database and artifact folder, for specs that set
 * up state through the services (what the UI calls) rather than click by click.
 */
export function pointAtE2eServer(): void {
  process.env.DATABASE_URL = e2eDatabaseUrl();
  process.env.DEEPBOARD_DATA_DIR = e2eDataDir();
}
