/**
 * P1 worker overhead: the same MLP, data and backend trained by bare tfjs `model.fit` and by the
 * Deepboard job handler (handleTrainJob: claim, load the dataset version from the artifact store,
 * train with batch/epoch metrics streamed to Postgres, progress rows, per-epoch and best
 * checkpoints, heartbeats). The queue wait is excluded (the handler is called directly, as the
 * worker's queue callback does) and so are the test-set evaluation and reports that follow
 * training: the figure is the handler's own `trainMs` phase against fit's wall time, medians of
 * interleaved repetitions.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LocalArtifactStore } from '@/lib/artifacts/store';
import { getTemplate } from '@/lib/arch/templates';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { prisma } from '@/lib/db/client';
import { resolveRunConfig, ZRunConfig } from '@/lib/schemas/runs';
import { createArchitecture } from '@/server/services/architectures';
import { createSynthetic } from '@/server/services/datasets';
import { createRun } from '@/server/services/runs';
import { loadBestBackend } from '@/worker/backend';
import { loadDatasetVersion } from '@/worker/data/load';
import { handleTrainJob } from '@/worker/jobs/train-run';
import { buildArchitecture } from '@/worker/model/build';
import { TFJS_LOSS_NAMES } from '@/worker/training/losses';
import { trainRun } from '@/worker/training/train-run';
import { createOptimizer } from '@/worker/training/optimizers';
import type { BenchContext, BenchResult } from './types';
import { makePlace, median } from './support/seed';

export default async function p1(ctx: BenchContext): Promise<BenchResult[]> {
  const rows = ctx.quick ? 4000 : 24_000;
  const epochs = ctx.quick ? 2 : 3;
  const reps = ctx.quick ? 1 : 3;
  const batchSize = 32;
  const artifacts = await mkdtemp(path.join(os.tmpdir(), 'deepboard-bench-p1-'));
  const store = new LocalArtifactStore(artifacts);
  process.env.DEEPBOARD_ARTIFACTS_DIR = artifacts;
  try {
    const backend = await loadBestBackend('auto');
    ctx.log(`backend ${backend.name} (${backend.tfBackend})`);
    const place = await makePlace();
    const who = { teamId: place.teamId, userId: place.userId, role: 'OWNER' as const };
    const ds = await createSynthetic({
      ...who,
      input: {
        projectId: place.projectId,
        name: 'Loans',
        split: { train: 0.8, validation: 0.1, test: 0.1, seed: 1, stratify: 'label' },
        spec: { generator: 'loans', settings: { rows, seed: 3, biasStrength: 0.5 } },
      } as never,
    });
    const version = await prisma.datasetVersion.findFirstOrThrow({ where: { datasetId: ds.datasetId }, orderBy: { version: 'desc' } });
    const data = await loadDatasetVersion(prisma, store, version.id);
    const spec = ZArchitectureSpec.parse(getTemplate('mlp-classifier').build({ inputShape: data.inputShape, task: 'binary' }));
    const arch = await createArchitecture({ ...who, input: { projectId: place.projectId, name: 'Loan MLP', spec } });
    const config = ZRunConfig.parse({ paradigm: 'supervised', epochs, batchSize, seed: 7 });
    const resolved = resolveRunConfig(config, { task: 'binary', hasValidation: true });

    const x = tf.tensor(data.train.x, [data.train.n, ...data.inputShape], 'float32');
    const y = tf.tensor(Array.from(data.train.y), [data.train.n, 1], 'float32');
    const vx = tf.tensor(data.validation.x, [data.validation.n, ...data.inputShape], 'float32');
    const vy = tf.tensor(Array.from(data.validation.y), [data.validation.n, 1], 'float32');

    // Building and compiling the model is part of both timings (the handler's trainMs includes it).
    async function bare(): Promise<number> {
      const t0 = performance.now();
      const { models } = await buildArchitecture(spec, { seed: resolved.seed });
      const model = models.model!;
      model.compile({ optimizer: createOptimizer(resolved.optimizer, resolved.learningRate), loss: TFJS_LOSS_NAMES[resolved.loss!]!, metrics: ['accuracy'] });
      await model.fit(x, y, { epochs, batchSize, shuffle: true, validationData: [vx, vy], verbose: 0 });
      const ms = performance.now() - t0;
      model.dispose();
      return ms;
    }

    // The trainer alone (no hooks: no metrics, checkpoints or progress), for the profile.
    async function loopOnly(): Promise<number> {
      const t0 = performance.now();
      const r = await trainRun({
        spec,
        config,
        target: { task: 'binary' },
        data: { x, y: tf.tensor1d(Array.from(data.train.y)), validation: { x: vx, y: tf.tensor1d(Array.from(data.validation.y)) } },
      });
      const ms = performance.now() - t0;
      r.dispose();
      return ms;
    }

    async function pipeline(): Promise<{ ms: number; points: number }> {
      const run = await createRun({ ...who, input: { projectId: place.projectId, architectureId: arch.id, datasetId: ds.datasetId, config } });
      await handleTrainJob(
        { runId: run.id, attempt: 0 },
        { prisma, store, workerId: 'bench-p1', backendName: backend.name, device: backend.device, versions: backend.versions, cancelRequested: () => false },
      );
      const done = await prisma.run.findUniqueOrThrow({ where: { id: run.id } });
      if (done.status !== 'SUCCEEDED') throw new Error(`the pipeline run ended ${done.status}: ${done.error}`);
      const phases = (done.environment as { phases?: { trainMs?: number } }).phases;
      if (!phases?.trainMs) throw new Error('the run recorded no training phase time');
      const points = await prisma.metricSeries.aggregate({ where: { runId: run.id }, _sum: { count: true } });
      return { ms: phases.trainMs, points: points._sum.count ?? 0 };
    }

    await bare(); // warm-up: kernels, JIT
    const bareMs: number[] = [];
    const pipeMs: number[] = [];
    const loopMs: number[] = [];
    let points = 0;
    for (let r = 0; r < reps; r++) {
      bareMs.push(await bare());
      loopMs.push(await loopOnly());
      const p = await pipeline();
      pipeMs.push(p.ms);
      points = p.points;
      ctx.log(`rep ${r + 1}/${reps}: model.fit ${bareMs.at(-1)!.toFixed(0)} ms, trainer alone ${loopMs.at(-1)!.toFixed(0)} ms, pipeline ${p.ms.toFixed(0)} ms`);
    }
    tf.dispose([x, y, vx, vy]);
    const b = median(bareMs);
    const p = median(pipeMs);
    const ratio = p / b;
    return [
      {
        id: 'P1',
        name: 'worker overhead: job handler training ÷ bare model.fit (lower is better)',
        value: p,
        unit: 'ms',
        target: 1.03,
        baseline: b,
        ratio,
        pass: ratio <= 1.03,
        note: `trainer alone (no hooks) ${median(loopMs).toFixed(0)} ms; MLP 128-64 on ${data.train.n} loans rows × ${epochs} epochs, batch ${batchSize}, ${backend.name}; medians of ${reps} interleaved reps; pipeline logged ${points} metric points, checkpoints every epoch`,
      },
    ];
  } finally {
    delete process.env.DEEPBOARD_ARTIFACTS_DIR;
    await rm(artifacts, { recursive: true, force: true });
  }
}
