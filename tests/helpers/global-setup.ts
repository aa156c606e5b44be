import type { TestProject } from 'vitest/node';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from './test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
    dataDir: string;
  }
}

let db: TestDatabase | null = null;
let dataDir: string | null = null;

export async function setup(project: TestProject) {
  db = await createTestDatabase();
  // One artifact folder for the whole run: any test's worker process may take any test's job.
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'deepboard-itest-'));
  project.provide('databaseUrl', db.url);
  project.provide('adminDatabaseUrl', db.adminUrl);
  project.provide('dataDir', dataDir);
}

export async function teardown() {
  await db?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
