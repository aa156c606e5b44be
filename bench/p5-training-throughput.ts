/**
 * P5 training throughput (issue 8): samples per second trained by an MLP, a small CNN (two conv
 * layers on 28×28×1), an LSTM and an embedding model (the templates' architectures), on every
 * TensorFlow.js backend that loads, each with its ratio to the tfjs `cpu` backend.
 * Targets on wasm: CNN ≥ 100 × cpu, MLP ≥ 5 × cpu; the other rows inform.
 *
 * The cpu and wasm backends run on one thread (tfjs-backend-wasm finds no thread support in
 * Node), so their throughput is counted per second of this process's CPU time: on a machine
 * shared with other work, wall time measures the neighbours too. Each row's note gives the wall
 * figure as well. Native backends (tfjs-node, tfjs-node-gpu) use threads: counted on wall time.
 *
 *   node bin/run-ts.mjs bench/p5-training-throughput.ts [--quick]
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '@/lib/arch/spec';
import { getTemplate } from '@/lib/arch/templates';
import { BACKEND_ORDER, loadBestBackend, type BackendName } from '@/worker/backend';
import { buildArchitecture } from '@/worker/model/build';
import { disposeModels } from '@/worker/training/compile';
import type { BenchContext, BenchResult, Benchmark } from './types';

type FamilyId = 'mlp' | 'cnn' | 'lstm' | 'embedding';

interface Family {
  id: FamilyId;
  label: string;
  spec: ArchitectureSpec;
  /** One example's shape. */
  inputShape: number[];
  /** Token ids in [1, vocabSize) instead of normal floats. */
  vocabSize?: number;
  /** Wasm's target as a multiple of cpu; null where the row only informs. */
  target: number | null;
}

const CLASSES = 10;

function families(quick: boolean): Family[] {
  const vocabSize = quick ? 1000 : 2000;
  return [
    {
      id: 'mlp',
      label: 'MLP 784-128-64-10',
      spec: getTemplate('mlp-classifier').build({ inputShape: [784], task: 'multiclass', numClasses: CLASSES }),
      inputShape: [784],
      target: 5,
    },
    {
      id: 'cnn',
      label: 'CNN 2×conv 28×28×1',
      spec: getTemplate('cnn-classifier').build({ inputShape: [28, 28], task: 'multiclass', numClasses: CLASSES }),
      inputShape: [28, 28],
      target: 100,
    },
    {
      id: 'lstm',
      label: 'LSTM 64+32 over 28 steps',
      spec: getTemplate('lstm-classifier').build({ inputShape: [28, 28], task: 'multiclass', numClasses: CLASSES }),
      inputShape: [28, 28],
      target: null,
    },
    {
      id: 'embedding',
      label: `embedding ${vocabSize}×64 + GRU 64, 40 tokens`,
      spec: getTemplate('text-classifier').build({ inputShape: [40], task: 'multiclass', numClasses: CLASSES, vocabSize }),
      inputShape: [40],
      vocabSize,
      target: null,
    },
  ];
}

/**
 * Samples trained per measurement: about a second or more of work on each backend. The cpu
 * backend needs ~27 CPU-seconds per 32 CNN samples and ~29 per 32 embedding samples
 * (its Conv2DBackpropFilter and UnsortedSegmentSum are slow loops), so there it trains one batch.
 */
function samplesFor(family: FamilyId, backend: BackendName, batchSize: number, quick: boolean): number {
  const slow = backend === 'cpu';
  const batches: Record<FamilyId, [number, number]> = { mlp: [32, 128], cnn: [1, 16], lstm: [2, 8], embedding: [1, 8] };
  const [cpuBatches, otherBatches] = batches[family];
  const n = slow ? cpuBatches : otherBatches;
  return batchSize * Math.max(1, quick ? Math.ceil(n / 4) : n);
}

interface Measurement {
  samples: number;
  cpuSeconds: number;
  wallSeconds: number;
  /** Top kernels of one profiled step, wall-clock share. */
  profile: string;
}

function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

function makeBatch(family: Family, n: number, seed: number): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const x = family.vocabSize ? tf.randomUniform([n, ...family.inputShape], 1, family.vocabSize, 'int32', seed) : tf.randomNormal([n, ...family.inputShape], 0, 1, 'float32', seed);
    const y = tf.oneHot(tf.randomUniform([n], 0, CLASSES, 'int32', seed + 1), CLASSES);
    return { x, y };
  });
}

async function measure(family: Family, backend: BackendName, batchSize: number, samples: number): Promise<Measurement> {
  const built = await buildArchitecture(family.spec, { seed: 1 });
  const model = built.models.model!;
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const { x, y } = makeBatch(family, samples, 7);
  try {
    // Warm-up on two samples: the same code paths (JIT, wasm operator setup) at little cost. The
    // JavaScript kernels need a few calls before V8 optimises them; the cpu backend's one step
    // costs seconds and its warm-up matters little next to that.
    const warm = makeBatch(family, 2, 3);
    for (let i = 0; i < (backend === 'cpu' ? 1 : 4); i++) await model.trainOnBatch(warm.x, warm.y);
    const profiled = await tf.profile(() => model.trainOnBatch(warm.x, warm.y));
    tf.dispose([warm.x, warm.y]);

    const cpu0 = cpuSeconds();
    const wall0 = performance.now();
    await model.fit(x, y, { batchSize, epochs: 1, shuffle: false, verbose: 0 });
    return {
      samples,
      cpuSeconds: cpuSeconds() - cpu0,
      wallSeconds: (performance.now() - wall0) / 1000,
      profile: topKernels(profiled.kernels),
    };
  } finally {
    tf.dispose([x, y]);
    disposeModels([model]);
  }
}

function topKernels(kernels: { name: string; kernelTimeMs: unknown }[]): string {
  const byName = new Map<string, number>();
  for (const k of kernels) {
    // Op scopes (name__op: custom gradients) contain kernels listed on their own.
    if (typeof k.kernelTimeMs === 'number' && !k.name.endsWith('__op')) byName.set(k.name, (byName.get(k.name) ?? 0) + k.kernelTimeMs);
  }
  const total = [...byName.values()].reduce((a, b) => a + b, 0) || 1;
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([name, ms]) => `${name} ${Math.round((100 * ms) / total)}%`)
    .join(', ');
}

/** Single-threaded backends are timed on CPU time (see the header). */
function throughput(m: Measurement, backend: BackendName): number {
  const threaded = backend === 'node' || backend === 'node-gpu';
  return m.samples / (threaded ? m.wallSeconds : m.cpuSeconds);
}

const round = (v: number) => (v >= 100 ? Math.round(v) : Math.round(v * 10) / 10);

const p5: Benchmark = async (ctx: BenchContext) => {
  const batchSize = ctx.quick ? 8 : 32;
  const fams = families(ctx.quick);
  const loaded: BackendName[] = [];
  const rows: BenchResult[] = [];
  const initial = tf.getBackend() as string | undefined;

  for (const backend of BACKEND_ORDER) {
    try {
      await loadBestBackend(backend);
      loaded.push(backend);
    } catch (err) {
      const reason = (err as Error).message.replace(/^no TensorFlow\.js backend could be loaded: /, '');
      ctx.log(`P5: backend ${backend} does not load (${reason}); skipped`);
      rows.push({ id: `P5-${backend}`, name: `P5 training throughput on ${backend}`, value: 0, unit: 'samples/s', target: null, baseline: null, ratio: null, pass: null, note: `skipped: ${reason}` });
    }
  }
  // The cpu row of each family is the baseline: measure it first.
  const order = [...loaded].sort((a, b) => (a === 'cpu' ? -1 : b === 'cpu' ? 1 : 0));

  for (const family of fams) {
    let baseline: number | null = null;
    for (const backend of order) {
      await tf.setBackend(backend === 'node' || backend === 'node-gpu' ? 'tensorflow' : backend);
      const samples = samplesFor(family.id, backend, batchSize, ctx.quick);
      const m = await measure(family, backend, batchSize, samples);
      const value = throughput(m, backend);
      if (backend === 'cpu') baseline = value;
      const ratio = baseline ? value / baseline : null;
      const target = backend === 'wasm' ? family.target : null;
      const pass = target === null || ratio === null ? null : ratio >= target;
      const clock = backend === 'node' || backend === 'node-gpu' ? 'wall' : 'CPU';
      ctx.log(
        `P5 ${family.id} on ${backend}: ${round(value)} samples/s (${clock} time; wall ${round(m.samples / m.wallSeconds)}), ` +
          `${m.samples} samples in batches of ${batchSize}${ratio ? `, ${round(ratio)}× cpu` : ''}; kernels: ${m.profile}`,
      );
      rows.push({
        id: `P5-${family.id}-${backend}`,
        name: `P5 ${family.label} training on ${backend}, samples/s (ratio: × cpu)`,
        value: round(value),
        unit: 'samples/s',
        target,
        baseline: backend === 'cpu' || baseline === null ? null : round(baseline),
        ratio: ratio === null ? null : Math.round(ratio * 100) / 100,
        pass,
        note:
          `${m.samples} samples, batch ${batchSize}, per ${clock === 'CPU' ? 'CPU second of this single-threaded process' : 'wall second'}; ` +
          `wall ${round(m.samples / m.wallSeconds)} samples/s` +
          (pass === false ? `; profile of one step: ${m.profile}` : ''),
      });
    }
  }
  if (initial) await tf.setBackend(initial);
  return rows;
};

export default p5;

function printTable(rows: BenchResult[]): void {
  const header = ['id', 'value', 'unit', 'baseline', 'ratio', 'target', 'pass'];
  const cells = rows.map((r) => [
    r.id,
    String(r.value),
    r.unit,
    String(r.baseline ?? ''),
    r.ratio === null ? '' : `${r.ratio}×`,
    r.target === null ? '' : `≥ ${r.target}×`,
    r.pass === null ? '' : r.pass ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(line(header));
  for (const c of cells) console.log(line(c));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const quick = process.argv.includes('--quick');
  try {
    const rows = await p5({ databaseUrl: process.env.DATABASE_URL ?? '', quick, log: (line) => console.log(line) });
    console.log();
    printTable(rows);
  } catch (err) {
    // One line: an uncaught error here would have the wasm module print its whole source.
    console.error(`P5 failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  }
}
