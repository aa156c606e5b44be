/**
 * P7: training throughput per model family on WebGPU (when this host has a GPU adapter), with its
 * ratio to the wasm and cpu backends, and the backend autotuning chooses for each family.
 *
 * Every backend that loads here trains the same model on the same random data through the run
 * pipeline's trainers (worker/training/autotune.ts measureTraining: a warm-up batch, then timed
 * batches). Autotuning's choice is computed by the worker's own decision function over these
 * timings and the kernel-registry check. Without an adapter the WebGPU rows are skipped with the
 * reason (value null in JSON, pass null); the autotune rows still report what this host chose.
 *
 *   node bin/run-ts.mjs bench/p7-gpu-training.ts [--quick] [--only=mlp,cnn,lstm,embedding,gan]
 *   npm run bench:bundle; dist/bench-gpu/run.sh [--quick]      (a GPU host with only Node and the driver)
 */
import * as tf from '@tensorflow/tfjs';
import { getTemplate } from '@/lib/arch/templates';
import { ZArchitectureSpec, type ArchitectureSpec } from '@/lib/arch/spec';
import type { BackendName } from '@/lib/schemas/backends';
import { ZRunConfig, type RunConfig, type TrainingTarget } from '@/lib/schemas/runs';
import { loadBestBackend, TF_BACKEND_OF, type LoadedBackend } from '@/worker/backend';
import { chooseBackend, measureTraining, missingKernels, trainingKernels, type Measurement, type TrainingProbeInput } from '@/worker/training/autotune';
import type { Benchmark, BenchContext, BenchResult } from './types';

export interface Family {
  id: string;
  name: string;
  batchSize: number;
  build(): { spec: ArchitectureSpec; config: RunConfig; target?: TrainingTarget; x: tf.Tensor; y?: tf.Tensor };
}

const classes = (n: number, k: number, seed: number) => tf.randomUniform([n], 0, k, 'int32', seed).cast('float32');

function families(quick: boolean): Family[] {
  const rows = (batch: number) => batch * 4;
  return [
    {
      id: 'mlp',
      name: 'MLP 64→256→256→10',
      batchSize: quick ? 256 : 1024,
      build() {
        const spec = ZArchitectureSpec.parse({
          kind: 'sequential',
          layers: [
            { type: 'input', shape: [64] },
            { type: 'dense', units: 256, activation: 'relu' },
            { type: 'dense', units: 256, activation: 'relu' },
            { type: 'dense', units: 10, activation: 'softmax' },
          ],
        });
        const n = rows(this.batchSize);
        return { spec, config: supervised(this.batchSize), target: { task: 'multiclass', numClasses: 10 }, x: tf.randomNormal([n, 64], 0, 1, 'float32', 1), y: classes(n, 10, 2) };
      },
    },
    {
      id: 'cnn',
      name: 'CNN 2×conv (32, 64) 28×28×1',
      // The cpu backend trains this at a few samples/s: keep the quick pass short.
      batchSize: quick ? 16 : 64,
      build() {
        const spec = getTemplate('cnn-classifier').build({ inputShape: [28, 28, 1], task: 'multiclass', numClasses: 10 });
        const n = rows(this.batchSize);
        return { spec, config: supervised(this.batchSize), target: { task: 'multiclass', numClasses: 10 }, x: tf.randomUniform([n, 28, 28, 1], 0, 1, 'float32', 3), y: classes(n, 10, 4) };
      },
    },
    {
      id: 'lstm',
      name: 'LSTM(64), 40 steps × 8',
      batchSize: 128,
      build() {
        const spec = ZArchitectureSpec.parse({
          kind: 'sequential',
          layers: [
            { type: 'input', shape: [40, 8] },
            { type: 'lstm', units: 64 },
            { type: 'dense', units: 10, activation: 'softmax' },
          ],
        });
        const n = rows(this.batchSize);
        return { spec, config: supervised(this.batchSize), target: { task: 'multiclass', numClasses: 10 }, x: tf.randomNormal([n, 40, 8], 0, 1, 'float32', 5), y: classes(n, 10, 6) };
      },
    },
    {
      id: 'embedding',
      name: 'Embedding(500, 32) + average pooling, 50 tokens',
      batchSize: 128,
      build() {
        const spec = ZArchitectureSpec.parse({
          kind: 'sequential',
          layers: [
            { type: 'input', shape: [50], dtype: 'int32' },
            { type: 'embedding', inputDim: 500, outputDim: 32 },
            { type: 'globalAveragePooling1d' },
            { type: 'dense', units: 2, activation: 'softmax' },
          ],
        });
        const n = rows(this.batchSize);
        return { spec, config: supervised(this.batchSize), target: { task: 'multiclass', numClasses: 2 }, x: tf.randomUniform([n, 50], 0, 500, 'int32', 7), y: classes(n, 2, 8) };
      },
    },
    {
      id: 'gan',
      name: 'Dense GAN step (latent 32 → 784)',
      batchSize: 64,
      build() {
        const spec = getTemplate('mlp-gan').build({ inputShape: [784], task: 'regression' });
        const n = rows(this.batchSize);
        return { spec, config: ZRunConfig.parse({ paradigm: 'gan', batchSize: this.batchSize, epochs: 1, gan: { sampleCount: 1 } }), x: tf.randomUniform([n, 784], -1, 1, 'float32', 9) };
      },
    },
  ];
}

function supervised(batchSize: number): RunConfig {
  return ZRunConfig.parse({ paradigm: 'supervised', batchSize, epochs: 1, loss: 'sparseCategoricalCrossentropy', metrics: [] });
}

const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

export interface FamilyResult {
  family: Family;
  /** samples/s per backend, or why it has none. */
  perBackend: Partial<Record<BackendName, { samplesPerSec: number; msPerBatch: number } | { skipped: string }>>;
  chosen: BackendName | null;
  chooseNote: string;
}

async function measureFamily(family: Family, loaded: LoadedBackend, quick: boolean, log: (l: string) => void): Promise<FamilyResult> {
  const built = family.build();
  const probe: TrainingProbeInput = { spec: built.spec, config: built.config, target: built.target, data: { x: built.x, y: built.y } };
  const perBackend: FamilyResult['perBackend'] = {};
  const measured = new Map<BackendName, Measurement>();
  try {
    const kernels = await trainingKernels(probe);
    const unsupported = (b: BackendName) => {
      const missing = missingKernels(kernels, TF_BACKEND_OF[b]);
      return missing.length ? `no ${missing.join(', ')} kernel for ${TF_BACKEND_OF[b]}` : null;
    };
    for (const { name } of loaded.available) {
      const why = unsupported(name);
      if (why) {
        perBackend[name] = { skipped: why };
        continue;
      }
      try {
        const m = await measureTraining(TF_BACKEND_OF[name], probe, { batches: quick ? 2 : 5, maxMs: quick ? 1500 : 5000 });
        measured.set(name, m);
        perBackend[name] = { samplesPerSec: round((family.batchSize * 1000) / m.msPerBatch), msPerBatch: round(m.msPerBatch, 2) };
        log(`P7 ${family.id} on ${name}: ${perBackend[name] && 'samplesPerSec' in perBackend[name]! ? (perBackend[name] as { samplesPerSec: number }).samplesPerSec : '?'} samples/s`);
      } catch (err) {
        perBackend[name] = { skipped: `failed: ${(err as Error).message.split('\n')[0]}` };
      }
    }
    // The worker's own decision over these timings (same kernel check, same measurement).
    const choice = await chooseBackend({
      available: loaded.available.map((b) => b.name),
      setting: 'auto',
      batchSize: family.batchSize,
      unsupported,
      measure: async (b) => {
        const m = measured.get(b);
        if (!m) throw new Error('not measured');
        return m;
      },
    });
    const figure = (b: BackendName) => {
      const v = perBackend[b];
      return v && 'samplesPerSec' in v ? String(v.samplesPerSec) : '✗';
    };
    return { family, perBackend, chosen: choice.backend, chooseNote: choice.candidates.map((c) => `${c.backend} ${c.ok ? figure(c.backend) : '✗'}`).join(', ') };
  } catch (err) {
    return { family, perBackend, chosen: null, chooseNote: `autotune failed: ${(err as Error).message.split('\n')[0]}` };
  } finally {
    tf.dispose([built.x, ...(built.y ? [built.y] : [])]);
  }
}

function sps(r: FamilyResult, b: BackendName): number | null {
  const v = r.perBackend[b];
  return v && 'samplesPerSec' in v ? v.samplesPerSec : null;
}

function why(r: FamilyResult, b: BackendName, loaded: LoadedBackend): string {
  const v = r.perBackend[b];
  if (v && 'skipped' in v) return v.skipped;
  return loaded.attempts.find((a) => a.backend === b)?.reason ?? 'not loaded';
}

export function p7Rows(results: FamilyResult[], loaded: LoadedBackend): BenchResult[] {
  const rows: BenchResult[] = [];
  const adapter = loaded.adapter ? `${loaded.adapter.device || loaded.adapter.description} (${loaded.adapter.vendor} ${loaded.adapter.architecture})` : null;
  for (const r of results) {
    const gpu = sps(r, 'webgpu');
    for (const base of ['wasm', 'cpu'] as const) {
      const b = sps(r, base);
      rows.push({
        id: `P7-${r.family.id}-webgpu-vs-${base}`,
        name: `${r.family.name} training, batch ${r.family.batchSize}: webgpu samples/s (ratio to ${base})`,
        value: gpu ?? Number.NaN,
        unit: 'samples/s',
        target: null,
        baseline: b,
        ratio: gpu !== null && b !== null ? round(gpu / b, 2) : null,
        pass: gpu !== null && b !== null ? gpu > b : null,
        note: gpu === null ? `skipped: ${why(r, 'webgpu', loaded)}` : b === null ? `on ${adapter}; ${base} has no figure: ${why(r, base, loaded)}` : `on ${adapter}`,
      });
    }
    const chosen = r.chosen ? sps(r, r.chosen) : null;
    const cpu = sps(r, 'cpu');
    rows.push({
      id: `P7-${r.family.id}-autotune`,
      name: `${r.family.name}, batch ${r.family.batchSize}: samples/s on the backend autotuning chose (ratio to cpu)`,
      value: chosen ?? Number.NaN,
      unit: 'samples/s',
      target: null,
      baseline: cpu,
      ratio: chosen !== null && cpu !== null ? round(chosen / cpu, 2) : null,
      pass: null,
      note: `autotune chose ${r.chosen ?? 'nothing'} (samples/s: ${r.chooseNote})`,
    });
  }
  return rows;
}

const p7: Benchmark = async (ctx: BenchContext) => {
  const loaded = await loadBestBackend('auto');
  ctx.log(
    `P7 backends: ${loaded.available.map((b) => `${b.name} (${b.device})`).join(', ')}; not loaded: ${loaded.attempts
      .filter((a) => !a.ok)
      .map((a) => `${a.backend} (${a.reason})`)
      .join(', ')}`,
  );
  if (loaded.adapter) ctx.log(`P7 GPU adapter: ${JSON.stringify(loaded.adapter)}`);
  const results: FamilyResult[] = [];
  const only = process.env.P7_ONLY?.split(',').filter(Boolean);
  for (const f of families(ctx.quick).filter((f) => !only?.length || only.includes(f.id))) results.push(await measureFamily(f, loaded, ctx.quick, ctx.log));
  return p7Rows(results, loaded);
};

export default p7;

// Run directly: prints the rows as a table and as JSON.
if (process.argv[1] && /p7-gpu-training\.(ts|mjs|js)$/.test(process.argv[1])) {
  const quick = process.argv.includes('--quick');
  const only = process.argv.find((a) => a.startsWith('--only='));
  if (only) process.env.P7_ONLY = only.slice('--only='.length);
  const rows = await p7({ databaseUrl: process.env.DATABASE_URL ?? '', quick, log: (l) => console.error(l) });
  for (const r of rows) console.log(`${r.id.padEnd(30)} ${Number.isNaN(r.value) ? '—'.padStart(10) : String(r.value).padStart(10)} ${r.unit}  ratio ${r.ratio ?? '—'}  ${r.note ?? ''}`);
  console.log(JSON.stringify(rows));
}
