import { describe, expect, it } from 'vitest';
import type { LoadedBackend } from '@/worker/backend';
import { p7Rows, type Family, type FamilyResult } from './p7-gpu-training';

const family = { id: 'cnn', name: 'CNN', batchSize: 64 } as Family;
const cpuHost: LoadedBackend = {
  name: 'wasm',
  tfBackend: 'wasm',
  device: 'CPU ×2',
  versions: {},
  adapter: null,
  available: [
    { name: 'wasm', tfBackend: 'wasm', device: 'CPU ×2' },
    { name: 'cpu', tfBackend: 'cpu', device: 'CPU ×2' },
  ],
  attempts: [
    { backend: 'node-gpu', ok: false, reason: 'not installed' },
    { backend: 'webgpu', ok: false, reason: 'no GPU adapter found' },
    { backend: 'node', ok: false, reason: 'not installed' },
    { backend: 'wasm', ok: true },
    { backend: 'cpu', ok: true },
  ],
};

describe('P7 rows', () => {
  it('without an adapter: webgpu rows skipped with the reason (value null in JSON, pass null), autotune row still reported', () => {
    const result: FamilyResult = {
      family,
      perBackend: { wasm: { skipped: 'no Conv2DBackpropFilter kernel for wasm' }, cpu: { samplesPerSec: 7, msPerBatch: 9000 } },
      chosen: 'cpu',
      chooseNote: 'wasm ✗, cpu 7',
    };
    const rows = JSON.parse(JSON.stringify(p7Rows([result], cpuHost))) as Record<string, unknown>[];
    expect(rows.map((r) => r.id)).toEqual(['P7-cnn-webgpu-vs-wasm', 'P7-cnn-webgpu-vs-cpu', 'P7-cnn-autotune']);
    expect(rows[0]).toMatchObject({ value: null, baseline: null, ratio: null, pass: null, note: 'skipped: no GPU adapter found' });
    expect(rows[1]).toMatchObject({ value: null, baseline: 7, pass: null });
    expect(rows[2]).toMatchObject({ value: 7, baseline: 7, ratio: 1, pass: null, note: 'autotune chose cpu (samples/s: wasm ✗, cpu 7)' });
  });

  it('with an adapter: ratios to wasm and cpu, and the adapter named', () => {
    const gpuHost: LoadedBackend = {
      ...cpuHost,
      name: 'webgpu',
      adapter: { vendor: 'nvidia', architecture: 'hopper', device: 'NVIDIA H100', description: 'NVIDIA: 580' },
      available: [{ name: 'webgpu', tfBackend: 'webgpu', device: 'NVIDIA H100' }, ...cpuHost.available],
    };
    const result: FamilyResult = {
      family,
      perBackend: { webgpu: { samplesPerSec: 1400, msPerBatch: 45 }, wasm: { skipped: 'no kernel' }, cpu: { samplesPerSec: 7, msPerBatch: 9000 } },
      chosen: 'webgpu',
      chooseNote: '',
    };
    const [vsWasm, vsCpu, auto] = p7Rows([result], gpuHost);
    expect(vsWasm).toMatchObject({ value: 1400, baseline: null, ratio: null, pass: null, note: 'on NVIDIA H100 (nvidia hopper); wasm has no figure: no kernel' });
    expect(vsCpu).toMatchObject({ value: 1400, baseline: 7, ratio: 200, pass: true });
    expect(auto).toMatchObject({ value: 1400, ratio: 200 });
  });
});
