import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { getTemplate } from '@/lib/arch/templates';
import type { BackendCandidate, BackendName } from '@/lib/schemas/backends';
import { ZRunConfig } from '@/lib/schemas/runs';
import { loadBestBackend, TF_BACKEND_OF } from '../backend';
import { chooseBackend, describeChoice, measureTraining, missingKernels, trainingKernels, type AutotuneCache, type ChooseBackendInput } from './autotune';
import { blobs, mlpSpec } from './fixtures';

/** An in-memory cache, as the worker's Postgres one behaves for one key. */
function memoryCache(): AutotuneCache & { puts: number; entry: { backend: BackendName; candidates: BackendCandidate[] } | null } {
  const cache = {
    puts: 0,
    entry: null as { backend: BackendName; candidates: BackendCandidate[] } | null,
    get: async () => cache.entry,
    put: async (backend: BackendName, candidates: BackendCandidate[]) => {
      cache.puts++;
      cache.entry = { backend, candidates };
    },
  };
  return cache;
}

function injected(ms: Partial<Record<BackendName, number | Error>>, unsupported: Partial<Record<BackendName, string>> = {}) {
  const measured: BackendName[] = [];
  const input: Omit<ChooseBackendInput, 'available' | 'setting'> = {
    unsupported: (b) => unsupported[b] ?? null,
    measure: async (b) => {
      measured.push(b);
      const v = ms[b];
      if (v instanceof Error) throw v;
      return { msPerBatch: v ?? 1000, batchesTimed: 3 };
    },
    batchSize: 64,
    now: () => new Date('2026-11-26T12:00:00Z'),
  };
  return { input, measured };
}

describe('chooseBackend with injected timings', () => {
  it('times every supported backend and takes the fastest, recording all candidates', async () => {
    const { input, measured } = injected({ webgpu: 4, wasm: 20, cpu: 100 });
    const choice = await chooseBackend({ ...input, available: ['webgpu', 'wasm', 'cpu'], setting: 'auto' });
    expect(choice.backend).toBe('webgpu');
    expect(choice.mode).toBe('auto');
    expect(choice.cached).toBe(false);
    expect(measured).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(choice.candidates).toEqual([
      { backend: 'webgpu', ok: true, msPerBatch: 4, batchesTimed: 3, samplesPerSec: 16000 },
      { backend: 'wasm', ok: true, msPerBatch: 20, batchesTimed: 3, samplesPerSec: 3200 },
      { backend: 'cpu', ok: true, msPerBatch: 100, batchesTimed: 3, samplesPerSec: 640 },
    ]);
    expect(describeChoice(choice)).toBe('backend webgpu chosen by autotuning: webgpu 4 ms/batch; wasm 20 ms/batch; cpu 100 ms/batch');
  });

  it('never times a backend that lacks a kernel, and a slower GPU loses to the CPU', async () => {
    const { input, measured } = injected({ webgpu: 50, wasm: 10, cpu: 30 }, { wasm: 'no Conv2DBackpropFilter kernel' });
    const choice = await chooseBackend({ ...input, available: ['webgpu', 'wasm', 'cpu'], setting: 'auto' });
    expect(measured).toEqual(['webgpu', 'cpu']);
    expect(choice.backend).toBe('cpu');
    expect(choice.candidates[1]).toEqual({ backend: 'wasm', ok: false, reason: 'no Conv2DBackpropFilter kernel' });
  });

  it('a backend that fails while timing is dropped with the reason', async () => {
    const { input } = injected({ webgpu: new Error('device lost\nstack'), cpu: 30 });
    const choice = await chooseBackend({ ...input, available: ['webgpu', 'cpu'], setting: 'auto' });
    expect(choice.backend).toBe('cpu');
    expect(choice.candidates[0]).toEqual({ backend: 'webgpu', ok: false, reason: 'failed while timing: device lost' });
  });

  it('when every timing fails, trains on the preferred supported backend and caches nothing', async () => {
    const cache = memoryCache();
    const { input } = injected({ wasm: new Error('loss became NaN at epoch 1, step 1'), cpu: new Error('loss became NaN at epoch 1, step 1') });
    const choice = await chooseBackend({ ...input, cache, available: ['wasm', 'cpu'], setting: 'auto' });
    expect(choice.backend).toBe('wasm');
    expect(choice.candidates.every((c) => !c.ok)).toBe(true);
    expect(cache.puts).toBe(0);
  });

  it('times nothing when only one loaded backend has the kernels', async () => {
    const { input, measured } = injected({}, { wasm: 'no UnsortedSegmentSum kernel' });
    const choice = await chooseBackend({ ...input, available: ['wasm', 'cpu'], setting: 'auto' });
    expect(measured).toEqual([]);
    expect(choice.backend).toBe('cpu');
    expect(choice.candidates[1]!.reason).toMatch(/^not timed/);
  });

  it('caches the choice: the second run of the model is not timed again', async () => {
    const cache = memoryCache();
    const first = injected({ wasm: 10, cpu: 50 });
    const a = await chooseBackend({ ...first.input, cache, available: ['wasm', 'cpu'], setting: 'auto' });
    expect(a).toMatchObject({ backend: 'wasm', cached: false });
    expect(cache.puts).toBe(1);

    const second = injected({ wasm: 99, cpu: 1 });
    const b = await chooseBackend({ ...second.input, cache, available: ['wasm', 'cpu'], setting: 'auto' });
    expect(b).toMatchObject({ backend: 'wasm', cached: true, candidates: a.candidates });
    expect(second.measured).toEqual([]);
    expect(cache.puts).toBe(1);
  });

  it('ignores a cached backend that is no longer loaded or no longer supports the model', async () => {
    const cache = memoryCache();
    cache.entry = { backend: 'webgpu', candidates: [] };
    const { input, measured } = injected({ wasm: 10, cpu: 50 });
    const choice = await chooseBackend({ ...input, cache, available: ['wasm', 'cpu'], setting: 'auto' });
    expect(choice).toMatchObject({ backend: 'wasm', cached: false });
    expect(measured).toEqual(['wasm', 'cpu']);
    expect(cache.entry).toMatchObject({ backend: 'wasm' });
  });

  it('a pinned backend is used without timing; one not loaded here is refused naming why', async () => {
    const { input, measured } = injected({});
    const pinned = await chooseBackend({ ...input, available: ['wasm', 'cpu'], setting: 'cpu' });
    expect(pinned).toMatchObject({ mode: 'pinned', backend: 'cpu', candidates: [] });
    expect(measured).toEqual([]);
    await expect(chooseBackend({ ...input, available: ['wasm', 'cpu'], setting: 'webgpu', whyUnavailable: () => 'no GPU adapter found' })).rejects.toThrow(
      'the run pins the webgpu backend, which is not loaded on this worker (no GPU adapter found); loaded: wasm, cpu',
    );
  });

  it('a worker with one backend uses it', async () => {
    const { input } = injected({});
    expect(await chooseBackend({ ...input, available: ['cpu'], setting: 'auto' })).toMatchObject({ mode: 'worker', backend: 'cpu' });
  });
});

describe('kernel support and timing on the real backends', () => {
  beforeAll(async () => {
    const loaded = await loadBestBackend('auto');
    expect(loaded.available.map((b) => b.name)).toEqual(expect.arrayContaining(['wasm', 'cpu']));
  });

  const mlpInput = () => {
    // Wide enough that wasm's SIMD matrix products beat plain JavaScript by a wide margin even on
    // a busy machine (about 4× here).
    const data = blobs(512, 64, 3);
    return {
      spec: mlpSpec(64, 1, 'sigmoid', 512),
      config: ZRunConfig.parse({ paradigm: 'supervised', batchSize: 128, epochs: 1 }),
      target: { task: 'binary' as const },
      data: { x: data.x, y: data.y },
    };
  };

  it("lists the kernels of a training step and checks each backend's registry", async () => {
    const kernels = await trainingKernels(mlpInput());
    expect(kernels).toEqual(expect.arrayContaining(['_FusedMatMul', 'Sigmoid']));
    expect(kernels.some((k) => /MatMul/.test(k))).toBe(true);
    expect(missingKernels(kernels, 'cpu')).toEqual([]);
    expect(missingKernels(kernels, 'wasm')).toEqual([]);

    const cnn = getTemplate('cnn-classifier').build({ inputShape: [8, 8], task: 'binary' });
    const images = tf.randomUniform([4, 8, 8, 1], 0, 1, 'float32', 1);
    const cnnKernels = await trainingKernels({
      spec: cnn,
      config: ZRunConfig.parse({ paradigm: 'supervised', batchSize: 2 }),
      target: { task: 'binary' },
      data: { x: images, y: tf.tensor1d([0, 1, 0, 1]) },
    });
    // The filter gradient is part of every convolution's training step; whether wasm has it is
    // the registry's answer, not ours.
    expect(cnnKernels).toEqual(expect.arrayContaining(['Conv2D', 'Conv2DBackpropFilter']));
    expect(missingKernels(cnnKernels, 'wasm')).toEqual(cnnKernels.filter((k) => !tf.getKernel(k, 'wasm')));
    expect(missingKernels(cnnKernels, 'cpu')).toEqual([]);
  });

  it('autotune picks wasm over cpu for an MLP, timing real batches', async () => {
    const input = mlpInput();
    const before = tf.getBackend();
    const choice = await chooseBackend({
      available: ['wasm', 'cpu'],
      setting: 'auto',
      batchSize: 128,
      unsupported: (b) => {
        const missing = missingKernels(kernelsCache, TF_BACKEND_OF[b]);
        return missing.length ? `no ${missing.join(', ')}` : null;
      },
      measure: (b, best) => measureTraining(TF_BACKEND_OF[b], input, { batches: 3, giveUpAfterMs: best === null ? undefined : Math.max(2000, best * 10) }),
    });
    expect(choice.backend).toBe('wasm');
    expect(choice.candidates.map((c) => c.backend)).toEqual(['wasm', 'cpu']);
    for (const c of choice.candidates) expect(c.msPerBatch).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe(before);
  });
  let kernelsCache: string[] = [];
  beforeAll(async () => {
    kernelsCache = await trainingKernels(mlpInput());
  });
});
