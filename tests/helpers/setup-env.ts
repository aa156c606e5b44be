import { afterAll, inject } from 'vitest';
import { disconnectPrisma } from '@/lib/db/client';

// Every integration test file talks to the run's fresh database through the one Prisma client.
process.env.DATABASE_URL = inject('databaseUrl');
process.env.AUTH_SECRET ??= 'test-secret-for-integration-tests-only';
// Artifacts (dataset files, checkpoints) of the whole run share one throwaway folder, like the
// processes of one installation share its artifact store.
process.env.DEEPBOARD_DATA_DIR = inject('dataDir');

afterAll(async () => {
  await disconnectPrisma();
});
