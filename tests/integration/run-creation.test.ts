import type { PrismaClient } from '@prisma/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTemplate } from '@/lib/arch/templates';
import { createPrismaClient, disconnectPrisma } from '@/lib/db/client';
import { InvalidInputError } from '@/lib/errors';
import { advanceRunningSweeps, advanceSweep } from '@/lib/sweeps/scheduler';
import { addMember, callerFor, makeTeam } from '../helpers/factories';

/**
 * Creating runs, shared by the web and the worker (lib/runs/create-run.ts): the web answers its
 * problems as the same errors as before, and the sweep scheduler (lib/sweeps/scheduler.ts) runs
 * on the database handle it is given, with no DATABASE_URL and no shared Prisma client.
 */
let db: PrismaClient;
let t: Awaited<ReturnType<typeof makeTeam>>;
let projectId: string;
let architectureId: string;
let datasetId: string;

beforeAll(async () => {
  db = createPrismaClient(process.env.DATABASE_URL!);
  t = await makeTeam();
  const api = callerFor(t.owner);
  projectId = (await api.projects.create({ teamId: t.team.id, name: 'Scheduler' })).id;
  const split = { train: 0.7, validation: 0.15, test: 0.15, seed: 1, stratify: 'label' as const };
  const ds = await api.datasets.createSynthetic({ teamId: t.team.id, projectId, name: 'Loans', split, spec: { generator: 'loans', settings: { rows: 300, seed: 3, biasStrength: 0.5 } } });
  datasetId = ds.datasetId;
  const v = await api.datasets.version({ teamId: t.team.id, datasetId });
  const inputs = (v.preprocessing as { encoder: { featureNames: string[] } }).encoder.featureNames.length;
  architectureId = (await api.architectures.create({ teamId: t.team.id, projectId, name: 'MLP', spec: getTemplate('mlp-classifier').build({ inputShape: [inputs], task: 'binary' }) })).id;
});

afterAll(async () => {
  await db.$disconnect();
});

/** Runs `fn` with DATABASE_URL pointing nowhere and the shared client closed: only `db` works. */
async function withoutSharedClient<T>(fn: () => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL;
  await disconnectPrisma();
  process.env.DATABASE_URL = 'postgresql://nobody@127.0.0.1:1/no-such-database';
  try {
    return await fn();
  } finally {
    process.env.DATABASE_URL = url;
  }
}

describe('sweep scheduler on a given database handle', () => {
  it('queues the next trial when a slot frees, and finishes the sweep when the budget is spent', async () => {
    const api = callerFor(t.owner);
    const sweep = await api.sweeps.create({
      teamId: t.team.id,
      projectId,
      name: 'On a handle',
      architectureId,
      datasetId,
      config: { paradigm: 'supervised', epochs: 1, batchSize: 64, seed: 1, checkpoint: { everyEpochs: 0, keepBest: false } },
      method: 'random',
      maxRuns: 2,
      parallelism: 1,
      objective: { metric: 'val_loss', direction: 'min' },
      space: { learningRate: { type: 'log-uniform', low: 1e-3, high: 3e-2 } },
    } as never);
    const [first] = await db.run.findMany({ where: { sweepId: sweep.id } });
    expect(first).toMatchObject({ status: 'QUEUED', sweepTrial: 0 });
    // A queued run canceled from the web frees the sweep's one slot.
    await api.runs.cancel({ teamId: t.team.id, runId: first!.id });

    const { queued } = await withoutSharedClient(() => advanceSweep(db, sweep.id));
    expect(queued).toHaveLength(1);
    const second = await db.run.findUniqueOrThrow({ where: { id: queued[0]! } });
    expect(second).toMatchObject({ status: 'QUEUED', sweepTrial: 1, createdById: t.owner.id, name: 'On a handle · trial 2' });
    const jobs = await db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = ${`${second.id}:0`}`;
    expect(Number(jobs[0]!.n)).toBe(1);

    // The budget is spent: once the last trial ends, the periodic tick marks the sweep finished.
    await api.runs.cancel({ teamId: t.team.id, runId: second.id });
    expect(await withoutSharedClient(() => advanceRunningSweeps(db))).toBeGreaterThanOrEqual(1);
    expect(await db.sweep.findUniqueOrThrow({ where: { id: sweep.id } })).toMatchObject({ status: 'FINISHED', reason: null });
  });

  it('throws why the first trial cannot be queued, as a user error naming the field, and cancels the sweep', async () => {
    const sweep = await db.sweep.create({
      data: {
        teamId: t.team.id,
        projectId,
        createdById: t.owner.id,
        name: 'Does not fit',
        method: 'random',
        seed: 1,
        architectureId,
        architectureVersion: 1,
        datasetId,
        datasetVersion: 1,
        config: { paradigm: 'supervised', epochs: 1, loss: 'meanSquaredError' },
        space: { learningRate: { type: 'log-uniform', low: 1e-3, high: 3e-2 } },
        maxRuns: 2,
        parallelism: 1,
        objective: { metric: 'val_loss', direction: 'min' },
      },
    });
    const refused = await withoutSharedClient(() => advanceSweep(db, sweep.id)).then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused).toMatchObject({ kind: 'invalid', field: 'config' });
    expect((refused as Error).message).toMatch(/loss meanSquaredError does not fit a binary task/);
    const stored = await db.sweep.findUniqueOrThrow({ where: { id: sweep.id } });
    expect(stored.status).toBe('CANCELLED');
    expect(stored.reason).toMatch(/^trial 1 \(.*\) could not be queued: .*meanSquaredError/);
    expect(await db.run.count({ where: { sweepId: sweep.id } })).toBe(0);
  });
});

describe('runs.create through lib/runs/create-run.ts', () => {
  it('queues a run, and refuses with the same codes and messages as before', async () => {
    const api = callerFor(t.owner);
    const base = { teamId: t.team.id, projectId, architectureId, datasetId, config: { paradigm: 'supervised', epochs: 1, batchSize: 64, seed: 1 } };
    const run = await api.runs.create(base as never);
    expect(await db.run.findUniqueOrThrow({ where: { id: run.id } })).toMatchObject({ status: 'QUEUED', attempt: 0, createdById: t.owner.id, number: expect.any(Number) });
    await api.runs.cancel({ teamId: t.team.id, runId: run.id });

    await expect(api.runs.create({ ...base, architectureId: 'no-such-architecture' } as never)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'Architecture not found' });
    await expect(api.runs.create({ ...base, datasetId: undefined } as never)).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'supervised training needs a dataset' });
    await expect(api.runs.create({ ...base, config: { ...base.config, loss: 'meanSquaredError' } } as never)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/loss meanSquaredError does not fit a binary task/),
    });
    const viewer = await addMember(t.team.id, 'VIEWER');
    await expect(callerFor(viewer).runs.create(base as never)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
