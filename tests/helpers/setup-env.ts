import os from 'node:os';
import path from 'node:path';
import { afterAll, inject } from 'vitest';
import { disconnectPrisma } from '@/lib/db/client';

// Every integration test file talks to the run's fresh database through the one Prisma client.
process.env.DATABASE_URL = inject('databaseUrl');
process.env.AUTH_SECRET ??= 'test-secret-for-integration-tests-only';
// Artifacts (dataset files, checkpoints) of this test process go to a throwaway folder.
process.env.DEEPBOARD_DATA_DIR ??= path.join(os.tmpdir(), `deepboard-itest-${process.pid}`);

afterAll(async () => {
  await disconnectPrisma();
});
