import { prisma } from '@/lib/db/client';
import { env } from '@/lib/env';
import { migrationStatus } from '@/lib/db/migrate';
import { WORKER_LOST_AFTER_MS } from '@/lib/workers';

export interface Health {
  ok: boolean;
  database: { reachable: boolean; error?: string };
  migrations: { applied: number; pending: string[]; ok: boolean };
  workers: { online: number; lastSeenAt: string | null };
  version: string;
  time: string;
}

export async function checkHealth(): Promise<Health> {
  const time = new Date().toISOString();
  const version = env().npm_package_version ?? '0.1.0';
  const url = env().DATABASE_URL;
  if (!url) {
    return {
      ok: false,
      database: { reachable: false, error: 'DATABASE_URL is not set' },
      migrations: { applied: 0, pending: [], ok: false },
      workers: { online: 0, lastSeenAt: null },
      version,
      time,
    };
  }
  try {
    await prisma.$queryRawUnsafe('SELECT 1');
  } catch (err) {
    return {
      ok: false,
      database: { reachable: false, error: (err as Error).message.split('\n')[0] },
      migrations: { applied: 0, pending: [], ok: false },
      workers: { online: 0, lastSeenAt: null },
      version,
      time,
    };
  }
  const status = await migrationStatus(url);
  const cutoff = new Date(Date.now() - WORKER_LOST_AFTER_MS);
  const [online, last] = await Promise.all([
    prisma.worker.count({ where: { status: 'ONLINE', lastHeartbeatAt: { gte: cutoff } } }),
    prisma.worker.findFirst({ orderBy: { lastHeartbeatAt: 'desc' }, select: { lastHeartbeatAt: true } }),
  ]);
  const migrationsOk = status.pending.length === 0 && status.failed.length === 0;
  return {
    ok: migrationsOk,
    database: { reachable: true },
    migrations: { applied: status.applied.length, pending: status.pending, ok: migrationsOk },
    workers: { online, lastSeenAt: last?.lastHeartbeatAt.toISOString() ?? null },
    version,
    time,
  };
}
