import type { TestProject } from 'vitest/node';
import { createTestDatabase, type TestDatabase } from './test-database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    adminDatabaseUrl: string;
  }
}

let db: TestDatabase | null = null;

export async function setup(project: TestProject) {
  db = await createTestDatabase();
  project.provide('databaseUrl', db.url);
  project.provide('adminDatabaseUrl', db.adminUrl);
}

export async function teardown() {
  await db?.drop();
}
