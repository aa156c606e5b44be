import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import type { CreateSweepInput } from '@/lib/schemas/sweeps';
import { enumerateGrid } from '@/lib/sweeps/space';
import { advanceRunningSweeps, advanceSweep } from '@/server/services/sweeps';
import { addMember, callerFor, makeArchitecture, makeDataset, makeTeam, makeWorkspace, type Workspace } from '../helpers/factories';
import { startWorker, type WorkerProcess } from '../helpers/worker-process';

/** Sweeps through the real queue and real worker processes. */
let t: Workspace;
let projectId: string;
let architectureId: string;
let datasetId: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  t = await makeWorkspace({ project: 'Sweeps' });
  projectId = t.project.id;
  const ds = await makeDataset(t, { name: 'Loans', loans: { rows: 600, seed: 3, biasStrength: 0.5 } });
  datasetId = ds.datasetId;
  architectureId = (await makeArchitecture(t, { name: 'MLP', inputs: ds.inputs })).id;
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
});

const sweepInput = (over: Partial<CreateSweepInput>): CreateSweepInput =>
  ({
    teamId: t.team.id,
    projectId,
    name: `Sweep ${Math.random().toString(36).slice(2, 8)}`,
    architectureId,
    datasetId,
    config: { paradigm: 'supervised', epochs: 2, batchSize: 64, seed: 1, checkpoint: { everyEpochs: 0, keepBest: false } },
    method: 'random',
    maxRuns: 4,
    parallelism: 2,
    objective: { metric: 'val_loss', direction: 'min' },
    space: { learningRate: { type: 'log-uniform', low: 1e-3, high: 3e-2 } },
    ...over,
  }) as CreateSweepInput & { teamId: string };

async function waitForSweep(sweepId: string, statuses: string[], ms = 240_000, onPoll?: () => Promise<void>) {
  const end = Date.now() + ms;
  for (;;) {
    await onPoll?.();
    const s = await prisma.sweep.findUniqueOrThrow({ where: { id: sweepId } });
    if (statuses.includes(s.status)) return s;
    if (Date.now() > end) throw new Error(`sweep ${sweepId} is ${s.status} after ${ms} ms\n${workers.map((w) => w.output().slice(-2000)).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const activeOf = (sweepId: string) => prisma.run.count({ where: { sweepId, status: { in: ['QUEUED', 'RUNNING'] } } });

describe('sweeps: validation and access', () => {
  it('refuses bad spaces naming the parameter, viewers, and a first trial that cannot run', async () => {
    const api = callerFor(t.owner);
    await expect(api.sweeps.create(sweepInput({ space: { learningRate: { type: 'log-uniform', low: 0, high: 0.1 } } }) as never)).rejects.toThrow(/learningRate: log-uniform needs low > 0/);
    await expect(api.sweeps.create(sweepInput({ space: { batchSize: { type: 'uniform', low: 8, high: 64 } } }) as never)).rejects.toThrow(/batchSize: .*use int-uniform/);
    const viewer = await addMember(t.team.id, 'VIEWER');
    await expect(callerFor(viewer).sweeps.create(sweepInput({}) as never)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // The base config does not fit the dataset's binary task: no sweep is left behind.
    const name = 'Bad loss';
    await expect(api.sweeps.create(sweepInput({ name, config: { paradigm: 'supervised', epochs: 1, loss: 'meanSquaredError' } }) as never)).rejects.toThrow(
      /loss meanSquaredError does not fit a binary task/,
    );
    expect(await prisma.sweep.count({ where: { projectId, name } })).toBe(0);
    // Another team's member sees nothing.
    const other = await makeTeam();
    const s = await api.sweeps.create(sweepInput({ maxRuns: 1, parallelism: 1 }) as never);
    await expect(callerFor(other.owner).sweeps.get({ teamId: other.team.id, sweepId: s.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await api.sweeps.cancel({ teamId: t.team.id, sweepId: s.id, stopRuns: true });
    expect((await api.sweeps.get({ teamId: t.team.id, sweepId: s.id })).status).toBe('CANCELLED');
  });

  it('schedulers racing never exceed the parallelism limit or the budget', async () => {
    const api = callerFor(t.owner);
    const s = await api.sweeps.create(sweepInput({ maxRuns: 5, parallelism: 3 }) as never);
    expect(await activeOf(s.id)).toBe(3);
    // Ten schedulers at once (as if ten workers finished together): still three active.
    await Promise.all(Array.from({ length: 10 }, () => advanceSweep(s.id)));
    expect(await activeOf(s.id)).toBe(3);
    // Two runs end at once; ten schedulers race for the two free slots.
    const runs = await prisma.run.findMany({ where: { sweepId: s.id }, orderBy: { sweepTrial: 'asc' } });
    await prisma.run.updateMany({ where: { id: { in: runs.slice(0, 2).map((r) => r.id) } }, data: { status: 'FAILED', finishedAt: new Date() } });
    await Promise.all(Array.from({ length: 10 }, () => advanceSweep(s.id)));
    expect(await activeOf(s.id)).toBe(3);
    const all = await prisma.run.findMany({ where: { sweepId: s.id }, orderBy: { sweepTrial: 'asc' } });
    expect(all.map((r) => r.sweepTrial)).toEqual([0, 1, 2, 3, 4]);
    // All five trials exist: the budget is spent, nothing more is queued.
    await prisma.run.updateMany({ where: { sweepId: s.id }, data: { status: 'FAILED', finishedAt: new Date() } });
    await Promise.all(Array.from({ length: 10 }, () => advanceSweep(s.id)));
    expect(await prisma.run.count({ where: { sweepId: s.id } })).toBe(5);
    expect((await prisma.sweep.findUniqueOrThrow({ where: { id: s.id } })).status).toBe('FINISHED');
    // The jobs of the rows marked failed above are stale: a worker claims only QUEUED runs.
  });
});

describe('sweeps: runs that end without a worker', () => {
  it('the periodic tick queues the next trial after a queued run is canceled from the web', async () => {
    const api = callerFor(t.owner);
    const s = await api.sweeps.create(sweepInput({ maxRuns: 3, parallelism: 1 }) as never);
    const [first] = await prisma.run.findMany({ where: { sweepId: s.id } });
    await api.runs.cancel({ teamId: t.team.id, runId: first!.id });
    expect(await activeOf(s.id)).toBe(0);
    expect(await advanceRunningSweeps()).toBeGreaterThanOrEqual(1);
    const runs = await prisma.run.findMany({ where: { sweepId: s.id }, orderBy: { sweepTrial: 'asc' } });
    expect(runs.map((r) => [r.sweepTrial, r.status])).toEqual([
      [0, 'CANCELED'],
      [1, 'QUEUED'],
    ]);
    // A sweep with room left but nothing to do is not picked up again.
    expect(await advanceRunningSweeps()).toBe(0);
    await api.sweeps.cancel({ teamId: t.team.id, sweepId: s.id, stopRuns: true });
    expect(await activeOf(s.id)).toBe(0);
  });
});

describe('sweeps through real workers', () => {
  beforeAll(() => {
    // Two workers, so two runs of a sweep finish close together.
    workers.push(startWorker({ DEEPBOARD_WORKER_NAME: 'sweep-a' }), startWorker({ DEEPBOARD_WORKER_NAME: 'sweep-b' }));
  });

  it('a grid covers every point once, within the budget and the parallelism limit', async () => {
    const api = callerFor(t.owner);
    const space = { learningRate: { type: 'choice' as const, values: [0.003, 0.01, 0.03] }, batchSize: { type: 'choice' as const, values: [32, 64] } };
    const started = Date.now();
    const s = await api.sweeps.create(sweepInput({ method: 'grid', maxRuns: 10, parallelism: 2, space }) as never);
    expect(s.maxRuns).toBe(6);
    let maxActive = 0;
    await waitForSweep(s.id, ['FINISHED', 'CANCELLED'], 300_000, async () => {
      maxActive = Math.max(maxActive, await activeOf(s.id));
    });
    const seconds = (Date.now() - started) / 1000;
    console.log(`grid sweep of 6 runs (2 epochs, 2 workers, parallelism 2): ${seconds.toFixed(1)} s`);
    const got = await api.sweeps.get({ teamId: t.team.id, sweepId: s.id });
    expect(got.status).toBe('FINISHED');
    expect(maxActive).toBeLessThanOrEqual(2);
    expect(got.trials).toHaveLength(6);
    expect(got.trials.every((r) => r.status === 'SUCCEEDED')).toBe(true);
    const seen = got.trials.map((r) => JSON.stringify({ batchSize: r.params.batchSize, learningRate: r.params.learningRate }));
    expect(new Set(seen)).toEqual(new Set(enumerateGrid(space).map((p) => JSON.stringify({ batchSize: p.batchSize, learningRate: p.learningRate }))));
    expect(got.done).toBe(6);
    // The best run is the completed run with the lowest final val_loss.
    const values = got.trials.map((r) => r.objective!);
    expect(got.best?.objective).toBe(Math.min(...values));
    // Runs overlapped: at some point two ran at once.
    const runs = await prisma.run.findMany({ where: { sweepId: s.id }, select: { startedAt: true, finishedAt: true } });
    const overlaps = runs.some((a, i) => runs.some((b, j) => i !== j && a.startedAt! < b.finishedAt! && b.startedAt! < a.finishedAt!));
    expect(overlaps).toBe(true);
  });

  it('median early stopping prunes a clearly bad run', async () => {
    const api = callerFor(t.owner);
    // Grid order: two good learning rates first (they complete and set the medians), then a
    // learning rate so small that the loss hardly moves.
    const s = await api.sweeps.create(
      sweepInput({
        method: 'grid',
        maxRuns: 3,
        parallelism: 1,
        config: { paradigm: 'supervised', epochs: 5, batchSize: 32, seed: 1, checkpoint: { everyEpochs: 0, keepBest: false } },
        space: { learningRate: { type: 'choice', values: [0.02, 0.01, 1e-7] } },
        earlyStopping: { warmupEpochs: 1, startupRuns: 2 },
      }) as never,
    );
    await waitForSweep(s.id, ['FINISHED', 'CANCELLED']);
    const got = await api.sweeps.get({ teamId: t.team.id, sweepId: s.id });
    expect(got.trials.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'PRUNED']);
    const bad = got.trials[2]!;
    expect(bad.pruneReason).toMatch(/^pruned after epoch 2: its best val_loss [\d.]+ is worse than the median [\d.]+ of 2 completed run\(s\) at that epoch$/);
    expect(bad.progress.epoch).toBe(2);
    const points = await prisma.metricSeries.findFirstOrThrow({ where: { runId: bad.id, key: 'loss', context: 'validation' } });
    expect(points.lastStep).toBe(2);
    const logs = (await api.runs.logs({ teamId: t.team.id, runId: bad.id })).map((l) => l.message).join('\n');
    expect(logs).toMatch(/pruned by its sweep after epoch 2/);
    expect(got.best?.id).not.toBe(bad.id);
  });

  it('cancelling a sweep stops queuing trials; the running one may finish', async () => {
    const api = callerFor(t.owner);
    const s = await api.sweeps.create(sweepInput({ maxRuns: 6, parallelism: 1, config: { paradigm: 'supervised', epochs: 3, batchSize: 32, seed: 2 } }) as never);
    const first = await prisma.run.findFirstOrThrow({ where: { sweepId: s.id } });
    await api.sweeps.cancel({ teamId: t.team.id, sweepId: s.id, stopRuns: false });
    await expect(api.sweeps.cancel({ teamId: t.team.id, sweepId: s.id, stopRuns: false })).rejects.toThrow(/already been cancelled/);
    for (let i = 0; i < 600; i++) {
      const r = await prisma.run.findUniqueOrThrow({ where: { id: first.id } });
      if (r.status === 'SUCCEEDED' || r.status === 'FAILED') break;
      await new Promise((res) => setTimeout(res, 200));
    }
    expect((await prisma.run.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('SUCCEEDED');
    // Longer than the workers' 5 s scheduling tick.
    await new Promise((res) => setTimeout(res, 6000));
    expect(await prisma.run.count({ where: { sweepId: s.id } })).toBe(1);
    expect((await api.sweeps.get({ teamId: t.team.id, sweepId: s.id })).status).toBe('CANCELLED');

    // With stopRuns, the running trial is canceled too.
    const s2 = await api.sweeps.create(sweepInput({ maxRuns: 6, parallelism: 1, config: { paradigm: 'supervised', epochs: 200, batchSize: 8, seed: 2 } }) as never);
    const run2 = await prisma.run.findFirstOrThrow({ where: { sweepId: s2.id } });
    for (let i = 0; i < 600 && (await prisma.run.findUniqueOrThrow({ where: { id: run2.id } })).status !== 'RUNNING'; i++) await new Promise((res) => setTimeout(res, 200));
    const res = await api.sweeps.cancel({ teamId: t.team.id, sweepId: s2.id, stopRuns: true });
    expect(res.canceledRuns).toBe(1);
    for (let i = 0; i < 300 && (await prisma.run.findUniqueOrThrow({ where: { id: run2.id } })).status === 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await prisma.run.findUniqueOrThrow({ where: { id: run2.id } })).status).toBe('CANCELED');
    expect(await prisma.run.count({ where: { sweepId: s2.id } })).toBe(1);
  });
});
