import { describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { reapStaleRuns, RUN_STALE_AFTER_MS } from '@/lib/runs/reaper';
import { callerFor, makeTeam } from '../helpers/factories';

/**
 * A run whose worker stopped heartbeating is queued again while it has attempts left, and after
 * the configured number of attempts (Run.maxAttempts) is marked FAILED with the reason.
 */
async function staleRun(attempt: number, maxAttempts: number) {
  const { team, owner } = await makeTeam();
  const project = await callerFor(owner).projects.create({ teamId: team.id, name: 'Reaper' });
  const worker = await prisma.worker.create({ data: { name: `gone-${Date.now()}`, host: 'h', pid: 1, backend: 'cpu', lastHeartbeatAt: new Date(Date.now() - 10 * 60_000) } });
  const old = new Date(Date.now() - RUN_STALE_AFTER_MS - 5_000);
  return prisma.run.create({
    data: {
      teamId: team.id,
      projectId: project.id,
      number: 1,
      name: 'r',
      paradigm: 'supervised',
      config: {},
      createdById: owner.id,
      status: 'RUNNING',
      attempt,
      maxAttempts,
      workerId: worker.id,
      startedAt: old,
      heartbeatAt: old,
    },
  });
}

describe('reaping runs whose worker died', () => {
  it('queues a run with attempts left again, to resume from its checkpoint', async () => {
    const run = await staleRun(0, 3);
    const r = await reapStaleRuns(prisma);
    expect(r.requeued).toContain(run.id);
    const after = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after).toMatchObject({ status: 'QUEUED', attempt: 1, workerId: null });
  });

  it('fails a run on its last attempt, naming the worker and the attempts', async () => {
    const run = await staleRun(2, 3);
    const r = await reapStaleRuns(prisma);
    expect(r.failed).toContain(run.id);
    const after = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.status).toBe('FAILED');
    expect(after.error).toMatch(/^worker gone-\d+ stopped responding \(last heartbeat .+\); gave up after 3 attempt\(s\)$/);
    expect(await prisma.runLog.count({ where: { runId: run.id, message: { contains: 'not retried' } } })).toBe(1);
  });
});
