import os from 'node:os';
import type { PrismaClient } from '@prisma/client';
import { WORKER_HEARTBEAT_MS } from '@/lib/workers';
import type { LoadedBackend } from './backend';
import { failureStreak, logFailure } from '@/lib/log';

/**
 * The worker's row in Postgres: created on start, heartbeated while alive, marked STOPPED on a
 * graceful shutdown. A database outage does not kill the worker: heartbeats retry until it is
 * back (and revive the row if the server had marked it LOST meanwhile).
 */
export interface Registration {
  id: string;
  stop: () => Promise<void>;
  /** Resolves after the next successful heartbeat (tests and shutdown use it). */
  beat: () => Promise<void>;
}

export async function registerWorker(
  prisma: PrismaClient,
  backend: LoadedBackend,
  opts: { name?: string; concurrency?: number; heartbeatMs?: number; log?: (line: string) => void } = {},
): Promise<Registration> {
  const log = opts.log ?? (() => {});
  const host = os.hostname();
  const row = await prisma.worker.create({
    data: {
      name: opts.name ?? `${host}:${process.pid}`,
      host,
      pid: process.pid,
      backend: backend.name,
      device: backend.device,
      versions: backend.versions,
      backends: backend.attempts.map((a) => ({ ...a, device: backend.available.find((b) => b.name === a.backend)?.device })) as never,
      gpuAdapter: (backend.adapter ?? undefined) as never,
      concurrency: opts.concurrency ?? 1,
      status: 'ONLINE',
    },
  });
  // A heartbeat retries on its next tick; an outage is logged once, then its end.
  const heartbeats = failureStreak(`heartbeat of worker ${row.id}`, log);
  const beat = () => heartbeats.run(() => prisma.worker.update({ where: { id: row.id }, data: { lastHeartbeatAt: new Date(), status: 'ONLINE' } }));
  const timer = setInterval(() => void beat(), opts.heartbeatMs ?? WORKER_HEARTBEAT_MS);
  timer.unref();
  let stopped = false;
  return {
    id: row.id,
    beat,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      await prisma.worker.update({ where: { id: row.id }, data: { status: 'STOPPED', stoppedAt: new Date(), lastHeartbeatAt: new Date() } }).catch(logFailure(`marking worker ${row.id} stopped`, log));
    },
  };
}
