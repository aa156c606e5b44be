import { prisma } from '@/lib/db/client';
import { reapStaleRuns } from '@/lib/runs/reaper';
import { purgeExpiredUploads } from './services/datasets';
import { advanceRunningSweeps } from './services/sweeps';
import { markLostWorkers } from './services/workers';

let started = false;

export function startUpkeep(): void {
  if (started) return;
  started = true;
  const every = (ms: number, fn: () => Promise<unknown>) => setInterval(() => void fn().catch(() => {}), ms).unref();
  every(10_000, () => reapStaleRuns(prisma));
  every(30_000, () => markLostWorkers());
  every(10_000, () => advanceRunningSweeps());
  every(3600_000, () => purgeExpiredUploads());
}
