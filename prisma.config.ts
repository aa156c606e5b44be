import path from 'node:path';
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// Prisma's query and schema engines are native downloads; the JS engine with the pg adapter needs
// none. Migrations are applied by our runner (lib/db/migrate.ts), not by `prisma migrate deploy`.
export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  engine: 'js',
  experimental: { adapter: true },
  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL ?? 'postgresql://localhost/deepboard' }),
});
