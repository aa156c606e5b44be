import { afterAll, describe, expect, it } from 'vitest';
import { artifactStore } from '@/lib/artifacts/store';
import { prisma } from '@/lib/db/client';
import { startWorker, waitForRun, type WorkerProcess } from '../helpers/worker-process';
import { completenessProblems, databaseUrlNamed, pointKey, pointsOf, trainingFixture, until } from './helpers';

/**
 * Worker faults mid-run, with the production defaults (a run is stale after 20 s without a
 * heartbeat; every worker reaps every 5 s):
 * (a) SIGKILL the worker → another worker resumes the run from its last checkpoint within 60 s;
 *     every metric point up to the checkpoint survives unchanged, none is duplicated, and the
 *     finished run has every step exactly once.
 * (c) pg_terminate_backend on all of the worker's connections, several times → the worker
 *     reconnects and the run finishes in its first attempt with no point lost.
 */
const workers: WorkerProcess[] = [];
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop('SIGKILL')));
});

function spawnWorker(env: Record<string, string>) {
  const w = startWorker(env);
  workers.push(w);
  return w;
}

describe('worker faults', () => {
  it('(a) a SIGKILLed worker: another resumes from the last checkpoint within 60 s; no point lost or duplicated', async () => {
    const f = await trainingFixture();
    const epochs = 10;
    const victim = spawnWorker({ DEEPBOARD_WORKER_NAME: 'victim' });
    const run = await f.createRun(epochs);
    await waitForRun(run.id, ['RUNNING'], 120_000, victim);
    await until('two epoch checkpoints', async () => (await prisma.checkpoint.count({ where: { runId: run.id, kind: 'epoch' } })) >= 2, 180_000);
    const survivor = spawnWorker({ DEEPBOARD_WORKER_NAME: 'survivor' });
    await until('the survivor online', () => prisma.worker.findFirst({ where: { name: 'survivor', status: 'ONLINE' } }), 120_000);
    // Kill mid-epoch, between checkpoints.
    await new Promise((r) => setTimeout(r, 700));
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.stop();

    const before = await pointsOf(run.id);
    const cp = await prisma.checkpoint.findFirstOrThrow({ where: { runId: run.id, kind: 'epoch' }, orderBy: { epoch: 'desc' } });
    const meta = JSON.parse((await artifactStore().get(`${cp.key}/checkpoint.json`)).toString()) as { state: { step: number; epoch: number } };
    const covered = before.filter((p) => p.step <= (p.key.startsWith('batch/') ? meta.state.step : meta.state.epoch));

    const resumed = await until(
      'the run running again in attempt 2',
      async () => {
        const r = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
        return r.attempt === 1 && r.status === 'RUNNING' ? r : null;
      },
      90_000,
      50,
    );
    const recoveryMs = Date.now() - killedAt;
    const done = await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 300_000, survivor);
    expect(done.error).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(resumed.workerId).not.toBe(null);
    expect(recoveryMs).toBeLessThan(60_000);

    const after = await pointsOf(run.id);
    const final = new Map(after.map((p) => [pointKey(p), p.value]));
    const lost = covered.filter((p) => !final.has(pointKey(p)) || !Object.is(final.get(pointKey(p)), p.value));
    expect(lost).toEqual([]);
    expect(completenessProblems(after, epochs)).toEqual([]);
    const logs = (await prisma.runLog.findMany({ where: { runId: run.id }, orderBy: { time: 'asc' } })).map((l) => l.message).join('\n');
    expect(logs).toMatch(new RegExp(`resuming from the checkpoint of epoch ${cp.epoch}`));
    await survivor.stop();
    console.log(
      `[chaos] SIGKILL: recovery ${(recoveryMs / 1000).toFixed(1)} s (kill → run RUNNING again on another worker); checkpoint epoch ${cp.epoch} step ${meta.state.step}; ` +
        `points before the kill ${before.length}, covered by the checkpoint and checked ${covered.length}, lost ${lost.length}; final points ${after.length}, duplicates 0`,
    );
  });

  it('(c) pg_terminate_backend on the worker’s connections: it reconnects, the run finishes in its first attempt, no point lost', async () => {
    const f = await trainingFixture();
    const epochs = 8;
    const app = `chaos-worker-${Date.now()}`;
    const worker = spawnWorker({ DEEPBOARD_WORKER_NAME: 'reconnecting', DATABASE_URL: databaseUrlNamed(app) });
    const run = await f.createRun(epochs);
    const running = await waitForRun(run.id, ['RUNNING'], 120_000, worker);
    expect((await prisma.worker.findUniqueOrThrow({ where: { id: running.workerId! } })).name).toBe('reconnecting');
    await until('the first checkpoint', async () => (await prisma.checkpoint.count({ where: { runId: run.id } })) >= 1, 180_000);
    let terminated = 0;
    for (let i = 0; i < 4; i++) {
      const rows = await prisma.$queryRaw<Array<{ ok: boolean }>>`SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ${app}`;
      terminated += rows.filter((r) => r.ok).length;
      await new Promise((r) => setTimeout(r, 1500));
    }
    expect(terminated).toBeGreaterThan(0);
    const done = await waitForRun(run.id, ['SUCCEEDED', 'FAILED'], 300_000, worker);
    expect(done.error, worker.output().slice(-3000)).toBeNull();
    expect(done.status).toBe('SUCCEEDED');
    expect(done.attempt).toBe(0);
    const after = await pointsOf(run.id);
    expect(completenessProblems(after, epochs)).toEqual([]);
    // The worker is still alive and takes the next run.
    const next = await f.createRun(1, 64);
    expect((await waitForRun(next.id, ['SUCCEEDED', 'FAILED'], 120_000, worker)).status).toBe('SUCCEEDED');
    const hit = (worker.output().match(/will retry|connection error|terminat/gi) ?? []).length;
    console.log(
      `[chaos] pg_terminate_backend: ${terminated} worker connections terminated in 4 rounds (${hit} failed writes/connection errors reported by the worker); run finished in attempt 1 with ${after.length} points, lost 0, duplicates 0`,
    );
  });
});
