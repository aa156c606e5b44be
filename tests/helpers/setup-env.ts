import { afterAll, inject } from 'vitest';
import { disconnectPrisma } from '@/lib/db/client';

// Every integration test file talks to the run's fresh database through the one Prisma client.
process.env.DATABASE_URL = inject('databaseUrl');
process.env.AUTH_SECRET ??= 'test-secret-for-integration-tests-only';

afterAll(async () => {
  await disconnectPrisma();
});
