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
