import { PrismaClient } from '@prisma/client';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { env } from '../env';

/**
 * The one Prisma client of a process (web server, worker, CLI, tests). Prisma's JS engine with
 * the pg adapter needs no native engine download.
 */
const globalForPrisma = globalThis as unknown as { __deepboardPrisma?: PrismaClient; __deepboardPrismaUrl?: string };

export function databaseUrl(): string {
  const url = env().DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (run `deepboard start`, which starts an embedded database, or set it).');
  return url;
}

const PG_POOL = Symbol.for('deepboard.pgPool');

/** Prisma stores DateTime as UTC in `timestamp without time zone`: plain queries read it as UTC too, not as local time. */
const TIMESTAMP_OID = 1114;
function typeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === TIMESTAMP_OID && format !== 'binary') return (v: string) => new Date(`${v.replace(' ', 'T')}Z`);
  return pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown;
}

/**
 * The client and the pg pool under it: Prisma's adapter runs on our pool, so the few hot paths
 * that need what Prisma cannot do (binary COPY for metric points) share its connections.
 */
export function createPrismaClient(connectionString = databaseUrl()): PrismaClient {
  const pool = new pg.Pool({ connectionString, max: env().DATABASE_POOL_SIZE, types: { getTypeParser: typeParser } });
  // An idle connection the server dropped (a restart, pg_terminate_backend) must not crash the process.
  pool.on('error', () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  // Two copies of `pg` would make the adapter take our pool for a config and open its own.
  if ((adapter as unknown as { externalPool: unknown }).externalPool !== pool) throw new Error('@prisma/adapter-pg does not share our pg: run `npm ci` (one copy of pg).');
  const client = new PrismaClient({ adapter });
  Object.defineProperty(client, PG_POOL, { value: pool, enumerable: false });
  return client;
}

/**
 * A plain SQL query on the shared client's pool, for the hot paths of the API (authenticating a
 * key, finding a run) where Prisma's per-query work costs more than the query itself.
 */
export async function sql<R extends object>(text: string, params: unknown[] = [], opts: { name?: string } = {}): Promise<R[]> {
  // Dates go as UTC ISO strings (pg would write local time), matching how Prisma stores them.
  const values = params.map((p) => (p instanceof Date ? p.toISOString() : p));
  // A named statement is parsed and planned once per connection instead of on every call: for
  // the queries every API call runs (a fixed text under a fixed name).
  return (await pgPoolOf(getPrisma())!.query<R>({ text, values, ...(opts.name ? { name: opts.name } : {}) })).rows;
}

/** The pg pool under a client made by createPrismaClient (or the shared `prisma`); null otherwise. */
export function pgPoolOf(client: object): pg.Pool | null {
  return ((client as Record<symbol, unknown>)[PG_POOL] as pg.Pool | undefined) ?? null;
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
