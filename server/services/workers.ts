import { prisma } from '@/lib/db/client';
import { WORKER_LOST_AFTER_MS } from '@/lib/workers';

/**
 * Workers as the server sees them. A worker that stopped heartbeating is marked LOST here, by
 * whoever looks first (the Workers page, the health check), since a killed process cannot
 * report its own death.
 */
export async function markLostWorkers(now = new Date()): Promise<number> {
  const res = await prisma.worker.updateMany({
    where: { status: 'ONLINE', lastHeartbeatAt: { lt: new Date(now.getTime() - WORKER_LOST_AFTER_MS) } },
    data: { status: 'LOST' },
  });
  return res.count;
}

export async function listWorkers(opts: { includeStoppedForMs?: number } = {}) {
  await markLostWorkers();
  const since = new Date(Date.now() - (opts.includeStoppedForMs ?? 24 * 3600 * 1000));
  const rows = await prisma.worker.findMany({
    where: { OR: [{ status: 'ONLINE' }, { lastHeartbeatAt: { gte: since } }] },
    orderBy: [{ status: 'asc' }, { startedAt: 'desc' }],
  });
  return rows.map((w) => ({
    id: w.id,
    name: w.name,
    host: w.host,
    pid: w.pid,
    status: w.status,
    backend: w.backend,
    device: w.device,
    versions: w.versions as Record<string, string>,
    concurrency: w.concurrency,
    startedAt: w.startedAt,
    lastHeartbeatAt: w.lastHeartbeatAt,
    stoppedAt: w.stoppedAt,
  }));
}

export async function countOnlineWorkers(): Promise<number> {
  await markLostWorkers();
  return prisma.worker.count({ where: { status: 'ONLINE' } });
}
