import { prisma } from '@/lib/db/client';
import { ZGpuAdapter } from '@/lib/schemas/backends';
import { WORKER_LOST_AFTER_MS } from '@/lib/workers';

export interface WorkerBackendAttempt {
  backend: string;
  ok: boolean;
  reason?: string;
  device?: string;
}

function attemptsOf(value: unknown): WorkerBackendAttempt[] {
  return Array.isArray(value) ? (value as WorkerBackendAttempt[]).filter((a) => a && typeof a.backend === 'string') : [];
}

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
    /** Every backend the worker tried at start, loaded or not (with the reason). */
    backends: attemptsOf(w.backends),
    gpuAdapter: ZGpuAdapter.nullable().catch(null).parse(w.gpuAdapter),
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
