import type { PrismaClient } from '@prisma/client';
import { env } from '../env';
import { reapRun } from './lifecycle';

/**
 * Finds runs whose worker stopped heartbeating (killed, machine lost) and either queues them
 * again — the next worker resumes from the last checkpoint — or, after maxAttempts, fails them
 * with the reason. Run by every worker and by the web server, so a run is never left RUNNING
 * forever; the lifecycle's compare-and-set (guarded by the heartbeat seen here) makes concurrent
 * reapers safe.
 */
export const RUN_STALE_AFTER_MS = env().DEEPBOARD_RUN_STALE_MS;

export interface ReapResult {
  requeued: string[];
  failed: string[];
}

export async function reapStaleRuns(prisma: PrismaClient, now = new Date()): Promise<ReapResult> {
  const cutoff = new Date(now.getTime() - RUN_STALE_AFTER_MS);
  const stale = await prisma.run.findMany({
    where: { status: 'RUNNING', OR: [{ heartbeatAt: { lt: cutoff } }, { heartbeatAt: null, startedAt: { lt: cutoff } }] },
    select: { id: true, attempt: true, maxAttempts: true, workerId: true, heartbeatAt: true, priority: true, cancelRequestedAt: true },
  });
  const result: ReapResult = { requeued: [], failed: [] };
  for (const run of stale) {
    const seen = run.heartbeatAt?.toISOString() ?? 'never';
    const worker = run.workerId ? await prisma.worker.findUnique({ where: { id: run.workerId }, select: { name: true } }) : null;
    const who = worker ? `worker ${worker.name}` : 'its worker';
    const r = await reapRun(prisma, run, {
      now,
      messages: {
        requeued: `${who} stopped responding (last heartbeat ${seen}); queued again to resume from the last checkpoint`,
        notRetried: `${who} stopped responding (last heartbeat ${seen}); not retried`,
        error: `${who} stopped responding (last heartbeat ${seen}); gave up after ${run.attempt + 1} attempt(s)`,
      },
    });
    if (r.ok) (r.status === 'QUEUED' ? result.requeued : result.failed).push(run.id);
    if (run.workerId) await prisma.worker.updateMany({ where: { id: run.workerId, status: 'ONLINE', lastHeartbeatAt: { lt: cutoff } }, data: { status: 'LOST' } });
  }
  return result;
}
