import { PrismaClient } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';

/**
 * The one Prisma client of a process (web server, worker, CLI, tests). Prisma's JS engine with
 * the pg adapter needs no native engine download.
 */
const globalForPrisma = globalThis as unknown as { __deepboardPrisma?: PrismaClient; __deepboardPrismaUrl?: string };

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (run `deepboard start`, which starts an embedded database, or set it).');
  return url;
}

export function createPrismaClient(connectionString = databaseUrl()): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  return new PrismaClient({ adapter });
}

/** Lazily created so that importing this module never needs DATABASE_URL. */
export function getPrisma(): PrismaClient {
  const url = databaseUrl();
  if (!globalForPrisma.__deepboardPrisma || globalForPrisma.__deepboardPrismaUrl !== url) {
    globalForPrisma.__deepboardPrisma = createPrismaClient(url);
    globalForPrisma.__deepboardPrismaUrl = url;
  }
  return globalForPrisma.__deepboardPrisma;
}

export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop, receiver) {
    const client = getPrisma();
    const value = Reflect.get(client, prop, receiver);
    return typeof value === 'function' ? value.bind(client) : value;
  },
});

export async function disconnectPrisma(): Promise<void> {
  const client = globalForPrisma.__deepboardPrisma;
  globalForPrisma.__deepboardPrisma = undefined;
  if (client) await client.$disconnect();
}
