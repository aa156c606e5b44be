import { describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { makeArchitecture, makeDataset, makeRun, makeStoredRun, makeWorkspace } from '../helpers/factories';

/** The factories other tests build on: each makes what it says, through the real services. */
describe('test factories', () => {
  it('a workspace, a CSV dataset ready to train, a fitting MLP and a queued run', async () => {
    const ws = await makeWorkspace({ project: 'Factories' });
    expect(ws.project.name).toBe('Factories');
    const ds = await makeDataset(ws);
    expect(ds.version.task).toEqual({ kind: 'binary', positiveClass: 'yes', negativeClass: 'no' });
    expect(ds.version.sensitiveColumns).toEqual(['sex']);
    expect(ds.inputs).toBeGreaterThan(2);
    const arch = await makeArchitecture(ws, { inputs: ds.inputs });
    expect(arch.latestVersion).toBe(1);
    const run = await makeRun(ws, { architectureId: arch.id, datasetId: ds.datasetId, config: { epochs: 2 } });
    const row = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(row).toMatchObject({ status: 'QUEUED', number: 1, createdById: ws.owner.id });
    expect((row.config as { epochs: number }).epochs).toBe(2);
    const jobs = await prisma.$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM graphile_worker.jobs WHERE key = ${`${run.id}:0`}`;
    expect(Number(jobs[0]!.n)).toBe(1);
  });

  it('a run with nothing given makes its own dataset and architecture; stored runs number after it', async () => {
    const ws = await makeWorkspace();
    const run = await makeRun(ws);
    expect(run.number).toBe(1);
    const stored = await makeStoredRun(ws, { status: 'SUCCEEDED', evaluation: { accuracy: 0.5 } });
    expect(stored).toMatchObject({ number: 2, status: 'SUCCEEDED', teamId: ws.team.id });
    const synthetic = await makeDataset(ws, { loans: { rows: 300, seed: 2 } });
    expect(synthetic.version.sensitiveColumns.length).toBeGreaterThan(0);
  });
});
