import { prisma } from '@/lib/db/client';
import { failureStreak } from '@/lib/log';
import { reapStaleRuns } from '@/lib/runs/reaper';
import { purgeExpiredUploads } from './services/datasets';
import { advanceRunningSweeps } from './services/sweeps';
import { markLostWorkers } from './services/workers';

let started = false;

export function startUpkeep(): void {
  if (started) return;
  started = true;
  // Each task retries on its next tick; a failing one is logged once, then when it recovers.
  const every = (ms: number, what: string, fn: () => Promise<unknown>) => {
    const streak = failureStreak(what);
    setInterval(() => void streak.run(fn), ms).unref();
  };
  every(10_000, 'upkeep: reaping stale runs', () => reapStaleRuns(prisma));
  every(30_000, 'upkeep: marking lost workers', () => markLostWorkers());
  every(10_000, 'upkeep: advancing running sweeps', () => advanceRunningSweeps());
  every(3600_000, 'upkeep: purging expired uploads', () => purgeExpiredUploads());
}
