import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '@/lib/db/client';
import { ZBackendChoice } from '@/lib/schemas/backends';
import { callerFor, makeArchitecture, makeDataset, makeRun, makeWorkspace, type Workspace } from '../helpers/factories';
import { startWorker, waitForRun, type WorkerProcess } from '../helpers/worker-process';

/** Per-run backend autotuning through the real queue and a real worker (wasm and cpu load here). */
let t: Workspace;
let worker: WorkerProcess;

beforeAll(async () => {
  t = await makeWorkspace({ project: 'Autotune' });
  worker = startWorker();
});

afterAll(async () => {
  await worker?.stop();
});

describe('backend autotuning', () => {
  it('times wasm and cpu on the first run of an MLP, records both, caches the choice, and honours a pinned backend', async () => {
    const api = callerFor(t.owner);
    const ds = await makeDataset(t, { name: 'Loans', loans: { rows: 800, seed: 3, biasStrength: 0.5 } });
    const a = await makeArchitecture(t, { name: 'Wide MLP', inputs: ds.inputs });
    const create = (config: Record<string, unknown>) => makeRun(t, { architectureId: a.id, datasetId: ds.datasetId, config: { epochs: 1, batchSize: 64, seed: 7, ...config } as never });

    const first = await create({});
    const done = await waitForRun(first.id, ['SUCCEEDED', 'FAILED'], 120_000, worker);
    expect(done.error).toBeNull();
    const choice = ZBackendChoice.parse(done.backendChoice);
    expect(choice).toMatchObject({ mode: 'auto', cached: false, batchSize: 64 });
    expect(choice.candidates.map((c) => c.backend)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
    expect(choice.candidates.find((c) => c.backend === 'webgpu')).toBeUndefined();
    for (const c of choice.candidates.filter((c) => c.backend === 'wasm' || c.backend === 'cpu')) expect(c.msPerBatch).toBeGreaterThan(0);
    expect(done.backend).toBe(choice.backend);
    const logs = (await api.runs.logs({ teamId: t.team.id, runId: first.id })).map((l) => l.message).join('\n');
    expect(logs).toContain(`backend ${choice.backend} chosen by autotuning`);
    const cached = await prisma.backendAutotune.findMany({ where: { architectureVersionId: done.architectureVersionId! } });
    expect(cached).toHaveLength(1);
    expect(cached[0]).toMatchObject({ batchSize: 64, backend: choice.backend });

    // Same architecture version and batch size on the same worker host: no timing.
    const second = await create({ seed: 8 });
    const again = ZBackendChoice.parse((await waitForRun(second.id, ['SUCCEEDED', 'FAILED'], 120_000, worker)).backendChoice);
    expect(again).toMatchObject({ mode: 'auto', cached: true, backend: choice.backend, candidates: choice.candidates });
    // Another batch size is timed again.
    const third = await create({ batchSize: 32 });
    expect(ZBackendChoice.parse((await waitForRun(third.id, ['SUCCEEDED', 'FAILED'], 120_000, worker)).backendChoice).cached).toBe(false);
    expect(await prisma.backendAutotune.count({ where: { architectureVersionId: done.architectureVersionId! } })).toBe(2);

    const pinned = await waitForRun((await create({ backend: 'cpu' })).id, ['SUCCEEDED', 'FAILED'], 120_000, worker);
    expect(pinned).toMatchObject({ status: 'SUCCEEDED', backend: 'cpu' });
    expect(ZBackendChoice.parse(pinned.backendChoice)).toMatchObject({ mode: 'pinned', backend: 'cpu', candidates: [] });

    // No GPU here: a run pinned to webgpu fails naming why.
    const gpu = await waitForRun((await create({ backend: 'webgpu' })).id, ['SUCCEEDED', 'FAILED'], 120_000, worker);
    expect(gpu.status).toBe('FAILED');
    expect(gpu.error).toMatch(/^the run pins the webgpu backend, which is not loaded on this worker \(.+\); loaded: .*wasm, cpu$/);
  });

  it('the worker row lists every backend it tried, with the reason for those that did not load', async () => {
    const row = await prisma.worker.findFirstOrThrow({ where: { status: 'ONLINE', pid: worker.child.pid } });
    const backends = row.backends as { backend: string; ok: boolean; reason?: string; device?: string }[];
    expect(backends.map((b) => b.backend)).toEqual(['node-gpu', 'webgpu', 'node', 'wasm', 'cpu']);
    expect(backends.find((b) => b.backend === 'webgpu')).toMatchObject({ ok: false, reason: expect.stringMatching(/no GPU adapter|not installed/) });
    expect(backends.find((b) => b.backend === 'wasm')).toMatchObject({ ok: true, device: expect.stringMatching(/^CPU/) });
    expect(row.gpuAdapter).toBeNull();
  });
});
