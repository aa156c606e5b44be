import { spawnSync } from 'node:child_process';
import os from 'node:os';
import type { Prisma, PrismaClient } from '@prisma/client';
import * as tf from '@tensorflow/tfjs';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { RUNS_CHANNEL } from '@/lib/channels';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { augmentBatch, ZAugmentSettings } from '@/lib/datasets/augment';
import { deriveSeed } from '@/lib/random';
import { enqueueTrainSql, type TrainJob } from '@/lib/queue';
import { ZRunConfig } from '@/lib/schemas/runs';
import { sweepPruner } from '@/lib/sweeps/pruner';
import { MetricBuffer, truncateRunMetrics, type MetricPointInput } from '@/lib/tracking/metrics';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint';
import { loadDatasetVersion, type LoadedData, type SplitArrays } from '../data/load';
import { predictAll, evaluateModel } from '../training/evaluate';
import { computeReports } from './reports';
import { reweigh } from '@/lib/fairness/mitigation';
import { DivergenceError, TrainingDataError, type TrainerState } from '../training/hooks';
import { trainRun, type RunData } from '../training/train-run';
import { backendNameOf, deviceOf, TF_BACKEND_OF, type LoadedBackend } from '../backend';
import { describeChoice } from '../training/autotune';
import { chooseRunBackend, prismaAutotuneCache } from './choose-backend';

/**
 * The job handler: it only wires the pipeline's parts together —
 * claim the run → load data → (resume from a checkpoint) → train with hooks that stream
 * metrics, logs, progress and checkpoints into Postgres and the artifact store → evaluate on the
 * test split → store predictions → final status. Everything it learns is written to rows as it
 * goes, so a crash loses at most the unflushed fraction of a second.
 */


export interface TrainJobDeps {
  prisma: PrismaClient;
  store: ArtifactStore;
  workerId: string;
  backendName: string;
  device: string;
  versions: Record<string, string>;
  /**
   * What the worker loaded: the candidates autotuning chooses from per run. Without it the run
   * trains on the active backend.
   */
  loaded?: Pick<LoadedBackend, 'available' | 'attempts' | 'adapter'>;
  /** The worker's host key for the autotune cache (workerKeyOf). */
  workerKey?: string;
  /** Autotune timing settings (tests shorten them). */
  autotune?: { batches?: number; maxMs?: number };
  /** True once a cancel request for the run arrived (LISTEN); the handler also polls the row. */
  cancelRequested: (runId: string) => boolean;
  /** True while the worker shuts down: the run stops after its batch and is queued again. */
  shuttingDown?: () => boolean;
  log?: (line: string) => void;
  heartbeatMs?: number;
  /** Called once the run has reached a final status (a sweep then queues its next trial). */
  afterRun?: (run: { id: string; sweepId: string | null; status: string }) => Promise<void>;
}

class LogBuffer {
  private lines: { level: string; message: string; time: Date }[] = [];
  private timer: NodeJS.Timeout | null = null;
  constructor(
    private prisma: PrismaClient,
    private runId: string,
    private echo: (l: string) => void,
  ) {}
  add(message: string, level = 'info') {
    this.echo(message);
    this.lines.push({ level, message: message.slice(0, 10_000), time: new Date() });
    this.timer ??= setTimeout(() => void this.flush(), 500);
  }
  async flush() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const lines = this.lines;
    this.lines = [];
    if (!lines.length) return;
    await this.prisma.runLog.createMany({ data: lines.map((l) => ({ runId: this.runId, ...l })) }).catch(() => this.lines.unshift(...lines));
    await this.prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: this.runId, type: 'log' })})`.catch(() => {});
  }
}

export function toTensors(split: SplitArrays, data: LoadedData): { x: tf.Tensor; y: tf.Tensor } {
  const x = data.inputDtype === 'int32' ? tf.tensor(split.x, [split.n, ...data.inputShape], 'int32') : tf.tensor(split.x, [split.n, ...data.inputShape], 'float32');
  const width = split.n ? split.y.length / split.n : 1;
  const y = data.task.kind === 'regression' ? tf.tensor(split.y, [split.n, width], 'float32') : tf.tensor1d(Array.from(split.y), 'float32');
  return { x, y };
}

function gpuStats(): { util: number; memoryMb: number } | null {
  const r = spawnSync('nvidia-smi', ['--query-gpu=utilization.gpu,memory.used', '--format=csv,noheader,nounits'], { encoding: 'utf8', timeout: 2000 });
  if (r.status !== 0 || !r.stdout) return null;
  const [util, mem] = r.stdout.trim().split('\n')[0]!.split(',').map((v) => Number(v.trim()));
  return Number.isFinite(util) && Number.isFinite(mem) ? { util: util!, memoryMb: mem! } : null;
}

export async function handleTrainJob(job: TrainJob, deps: TrainJobDeps): Promise<void> {
  const { prisma, store } = deps;
  const echo = deps.log ?? (() => {});
  // Claim: only the job for the run's current attempt may start it (older jobs are stale).
  const claimed = await prisma.run.updateMany({
    where: { id: job.runId, status: 'QUEUED', attempt: job.attempt, cancelRequestedAt: null },
    data: { status: 'RUNNING', workerId: deps.workerId, startedAt: new Date(), heartbeatAt: new Date(), backend: deps.backendName, device: deps.device },
  });
  if (claimed.count !== 1) {
    echo(`job for run ${job.runId} attempt ${job.attempt} is stale; skipped`);
    return;
  }
  const run = await prisma.run.findUniqueOrThrow({ where: { id: job.runId } });
  await prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: run.id, type: 'run', status: 'RUNNING' })})`;
  const logs = new LogBuffer(prisma, run.id, (l) => echo(`[run ${run.number}] ${l}`));
  const metrics = new MetricBuffer(prisma, run.id, { onError: (err) => echo(`metric write failed, will retry: ${(err as Error).message.split('\n')[0]}`) });
  const started = Date.now();
  let cancelPolled = false;
  const heartbeat = setInterval(() => {
    void prisma.run
      .update({ where: { id: run.id }, data: { heartbeatAt: new Date() }, select: { cancelRequestedAt: true } })
      .then((r) => (cancelPolled = r.cancelRequestedAt !== null))
      .catch(() => {});
  }, deps.heartbeatMs ?? 2000);
  let lastCpu = process.cpuUsage();
  let lastWall = Date.now();
  const system = setInterval(() => {
    const cpu = process.cpuUsage(lastCpu);
    const now = Date.now();
    const t = Math.round((now - started) / 1000);
    const points: MetricPointInput[] = [
      { key: 'cpu_percent', context: 'system', step: t, value: ((cpu.user + cpu.system) / 1000 / Math.max(1, now - lastWall) / os.cpus().length) * 100 },
      { key: 'memory_mb', context: 'system', step: t, value: process.memoryUsage().rss / 1024 / 1024 },
    ];
    const gpu = gpuStats();
    if (gpu) points.push({ key: 'gpu_util', context: 'system', step: t, value: gpu.util }, { key: 'gpu_memory_mb', context: 'system', step: t, value: gpu.memoryMb });
    lastCpu = process.cpuUsage();
    lastWall = now;
    metrics.add(...points);
  }, 5000);

  const tensors: tf.Tensor[] = [];
  // Where the attempt's time went (stored in the run's environment): load, train, evaluate.
  const phases: Record<string, number> = {};
  let phaseStart = performance.now();
  const endPhase = (name: string) => {
    const now = performance.now();
    phases[name] = Math.round(now - phaseStart);
    phaseStart = now;
  };
  let result: Awaited<ReturnType<typeof trainRun>> | null = null;
  let resumed: Awaited<ReturnType<typeof loadCheckpoint>> | null = null;
  let finalStatus: string | null = null;
  // Median early stopping of the run's sweep: decided after each epoch, stops at the epoch's end.
  let pruneReason: string | null = null;
  try {
    const config = ZRunConfig.parse(run.config);
    const archVersion = await prisma.architectureVersion.findUniqueOrThrow({ where: { id: run.architectureVersionId! } });
    const spec = ZArchitectureSpec.parse(archVersion.spec);
    logs.add(`attempt ${run.attempt + 1} on worker ${deps.workerId} (${os.hostname()}), backend ${deps.backendName}, tfjs ${tf.version.tfjs}`);

    let data: LoadedData | null = null;
    const runData: RunData = {};
    if (run.datasetVersionId) {
      data = await loadDatasetVersion(prisma, store, run.datasetVersionId);
      logs.add(`data: ${data.train.n} train / ${data.validation.n} validation / ${data.test.n} test examples of shape [${data.inputShape.join(', ')}]`);
      const train = toTensors(data.train, data);
      tensors.push(train.x, train.y);
      runData.x = train.x;
      runData.y = run.paradigm === 'supervised' ? train.y : undefined;
      if (data.validation.n > 0 && config.useValidationSplit) {
        const val = toTensors(data.validation, data);
        tensors.push(val.x, val.y);
        runData.validation = { x: val.x, y: run.paradigm === 'supervised' ? val.y : undefined };
      }
      if (config.sampleWeights && run.paradigm === 'supervised') {
        // Reweighing (Kamiran & Calders): w = P(s)·P(y) / P(s, y) over the train split's label and
        // sensitive attributes, so label and group are independent in the weighted data.
        const sensitive = Object.entries(data.train.sensitive).map(([name, values]) => ({ name, values }));
        const { weights } = reweigh(Array.from(data.train.y), sensitive);
        const w = tf.tensor1d(Float32Array.from(weights));
        tensors.push(w);
        runData.sampleWeights = w;
        logs.add(`reweighing by ${sensitive.map((f) => f.name).join(' × ')}: weights ${Math.min(...weights).toFixed(3)}–${Math.max(...weights).toFixed(3)}`);
      }
      const aug = data.augmentation ? ZAugmentSettings.parse(data.augmentation) : null;
      if (aug && data.kind === 'image' && run.paradigm === 'supervised') {
        const shape = data.inputShape as [number, number, number];
        logs.add(`augmentation: ${JSON.stringify(aug)}`);
        runData.transformBatch = (x, epoch, batch) => {
          const out = augmentBatch(x.dataSync() as Float32Array, shape, aug, deriveSeed(config.seed, epoch, batch));
          return tf.tensor(out, x.shape, 'float32');
        };
      }
    }

    // A retried or recovered run continues from its newest checkpoint.
    let resume: { models: Record<string, tf.LayersModel>; state: TrainerState } | undefined;
    if (run.attempt > 0) {
      const last = await prisma.checkpoint.findFirst({ where: { runId: run.id, kind: 'epoch' }, orderBy: { epoch: 'desc' } });
      if (last) {
        resumed = await loadCheckpoint(store, last.key);
        resume = { models: resumed.models as Record<string, tf.LayersModel>, state: resumed.meta.state as TrainerState };
        const removed = await truncateRunMetrics(prisma, run.id, { batchStep: resumed.meta.state.step, epoch: resumed.meta.state.epoch });
        logs.add(`resuming from the checkpoint of epoch ${last.epoch} (step ${resumed.meta.state.step}); ${removed} metric points after it were dropped and will be logged again`);
      }
    }

    if (deps.loaded) {
      const choice = await chooseRunBackend({
        loaded: deps.loaded,
        setting: config.backend ?? 'auto',
        probe: { spec, config, target: data ? { task: data.task.kind, numClasses: data.classNames?.length } : undefined, data: runData },
        cache: deps.workerKey ? prismaAutotuneCache(prisma, { workerKey: deps.workerKey, architectureVersionId: archVersion.id, batchSize: config.batchSize, workerId: deps.workerId }) : undefined,
        ...deps.autotune,
      });
      await tf.setBackend(TF_BACKEND_OF[choice.backend]);
      logs.add(describeChoice(choice));
      const adapter = choice.backend === 'webgpu' ? deps.loaded.adapter : null;
      await prisma.run.update({
        where: { id: run.id },
        data: {
          backend: choice.backend,
          device: deps.loaded.available.find((b) => b.name === choice.backend)?.device ?? deviceOf(choice.backend, adapter),
          backendChoice: choice as unknown as Prisma.InputJsonValue,
          gpuAdapter: adapter ? (adapter as unknown as Prisma.InputJsonValue) : undefined,
        },
      });
    }

    const epochs = run.paradigm === 'reinforcement' ? (config.rl?.episodes ?? 500) : config.epochs;
    let epochStarted = Date.now();
    const progress = async (epoch: number, extra: Record<string, unknown> = {}) => {
      const perEpoch = Date.now() - epochStarted;
      epochStarted = Date.now();
      const p = { epoch, epochs, fraction: Math.min(1, epoch / epochs), etaSeconds: Math.round(((epochs - epoch) * perEpoch) / 1000), ...extra };
      await prisma.run.update({ where: { id: run.id }, data: { progress: p as Prisma.InputJsonValue } }).catch(() => {});
      await prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: run.id, type: 'run', progress: p })})`.catch(() => {});
    };
    let bestKey: string | null = null;
    const pruner = await sweepPruner(prisma, run);

    endPhase('loadMs');
    result = await trainRun({
      spec,
      config,
      target: data ? { task: data.task.kind, numClasses: data.classNames?.length } : undefined,
      data: runData,
      resume: resume as never,
      hooks: {
        log: (line) => logs.add(line),
        shouldStop: () => pruneReason !== null || cancelPolled || deps.cancelRequested(run.id) || (deps.shuttingDown?.() ?? false),
        onBatchEnd: ({ epoch, step, logs: l }) => {
          metrics.add(...Object.entries(l).map(([k, value]) => ({ key: `batch/${k}`, context: 'train' as const, step, value, epoch })));
        },
        onEpochEnd: async ({ epoch, logs: l }) => {
          metrics.add(
            ...Object.entries(l).map(([k, value]) =>
              k.startsWith('val_') ? { key: k.slice(4), context: 'validation' as const, step: epoch, value, epoch } : { key: k, context: 'train' as const, step: epoch, value, epoch },
            ),
          );
          await progress(epoch);
          if (pruner && epoch < epochs) {
            const decision = await pruner(epoch, l).catch((err: Error) => {
              logs.add(`median early stopping skipped at epoch ${epoch}: ${err.message}`, 'warn');
              return null;
            });
            if (decision?.prune) {
              pruneReason = decision.reason;
              logs.add(decision.reason);
            }
          }
        },
        onCheckpoint: async ({ kind, epoch, models, state, value }) => {
          // Everything logged up to the checkpoint is stored before the checkpoint exists, so a
          // resume from it never misses a point.
          await metrics.drain();
          const key = `teams/${run.teamId}/runs/${run.id}/checkpoints/${kind}-${epoch}-a${run.attempt}`;
          const meta = await saveCheckpoint(store, key, { models, state, kind, value });
          const size = (await Promise.all(meta.parts.flatMap((p) => [`${key}/${p}/model.json`, `${key}/${p}/weights.bin`]).map((k) => store.size(k).catch(() => 0)))).reduce((a, b) => a + b, 0);
          if (kind === 'best') {
            // Only the best one is kept.
            const previous = await prisma.checkpoint.findMany({ where: { runId: run.id, kind: 'best' } });
            await prisma.checkpoint.deleteMany({ where: { runId: run.id, kind: 'best' } });
            for (const p of previous) if (p.key !== key) await store.deletePrefix(p.key).catch(() => {});
            bestKey = key;
          }
          await prisma.checkpoint.create({ data: { runId: run.id, epoch, kind, key, metric: kind === 'best' ? config.checkpoint.monitor : null, value: value ?? null, sizeBytes: BigInt(size) } });
        },
        onSamples: async ({ epoch, kind, samples }) => {
          const key = `teams/${run.teamId}/runs/${run.id}/samples/${kind}-latest.json`;
          await store.put(key, Buffer.from(JSON.stringify({ epoch, kind, samples })));
          await progress(epoch, { samples: { key, kind, epoch } });
        },
      },
    });
    await metrics.drain();
    endPhase('trainMs');
    void bestKey;
    if (result.stopReason === 'cancelled' && pruneReason === null && !cancelPolled && !deps.cancelRequested(run.id) && deps.shuttingDown?.()) {
      // Not a user's cancel: this worker is shutting down. Hand the run to the next worker.
      logs.add(`worker shutting down after epoch ${result.lastEpoch}; the run is queued again and resumes from its last checkpoint`);
      await prisma.$transaction(async (tx) => {
        await tx.run.update({ where: { id: run.id }, data: { status: 'QUEUED', attempt: run.attempt + 1, workerId: null, queuedAt: new Date(), maxAttempts: Math.max(run.maxAttempts, run.attempt + 2) } });
        await tx.$executeRaw(enqueueTrainSql({ runId: run.id, attempt: run.attempt + 1 }, run.priority + 1));
      });
      return;
    }

    // Evaluation on the held-out test split.
    let evaluation: Record<string, unknown> | null = null;
    if (run.paradigm === 'supervised' && data && data.test.n > 0 && result.models.model) {
      const test = toTensors(data.test, data);
      tensors.push(test.x, test.y);
      const scores = predictAll(result.models.model, test.x);
      if (scores.some((s) => !Number.isFinite(s))) {
        // The loss stayed finite (e.g. clipped cross-entropy) but the weights did not.
        throw new TrainingDataError(`the model's predictions are not finite after epoch ${result.lastEpoch}, step ${result.state.step} — the weights diverged; lower the learning rate`);
      }
      const ev = evaluateModel(result.models.model, test.x, test.y, data.task.kind, data.classNames?.length);
      const predictionsKey = `teams/${run.teamId}/runs/${run.id}/predictions.json`;
      await store.put(
        predictionsKey,
        Buffer.from(JSON.stringify({ task: data.task, classNames: data.classNames, scores: Array.from(scores), labels: Array.from(data.test.y), sensitive: data.test.sensitive, featureNames: data.featureNames })),
      );
      evaluation = { ...ev, classNames: data.classNames, testExamples: data.test.n, predictionsKey };
      const report = ev.report as unknown as Record<string, unknown>;
      const flat: MetricPointInput[] = [];
      for (const k of ['accuracy', 'mae', 'rmse', 'r2']) {
        if (typeof report[k] === 'number') flat.push({ key: k, context: 'test', step: 0, value: report[k] as number });
      }
      const macro = report.macro as { precision: number; recall: number; f1: number } | undefined;
      if (macro) flat.push({ key: 'macro_f1', context: 'test', step: 0, value: macro.f1 }, { key: 'macro_precision', context: 'test', step: 0, value: macro.precision }, { key: 'macro_recall', context: 'test', step: 0, value: macro.recall });
      const auc = (report.roc as { auc?: number } | undefined)?.auc;
      if (typeof auc === 'number') flat.push({ key: 'roc_auc', context: 'test', step: 0, value: auc });
      metrics.add(...flat);
      logs.add(`test: ${flat.map((p) => `${p.key} ${p.value.toFixed(4)}`).join(', ')}`);

      // Fairness and explainability reports: a failure here is logged, never fails the run.
      let valScores: Float32Array | null = null;
      if (data.validation.n > 0) {
        const val = toTensors(data.validation, data);
        tensors.push(val.x, val.y);
        valScores = predictAll(result.models.model, val.x);
      }
      Object.assign(
        evaluation,
        await computeReports({ model: result.models.model, data, scores, valScores, seed: config.seed, store, prefix: `teams/${run.teamId}/runs/${run.id}`, log: (l, level) => logs.add(l, level) }),
      );
    } else if (run.paradigm === 'reinforcement') {
      evaluation = { solvedAt: result.solvedAt ?? null, bestMeanReturn: result.bestMeanReturn ?? null, episodes: result.lastEpoch };
    } else {
      const final = Object.fromEntries(Object.entries(result.history.logs).map(([k, v]) => [k, v.at(-1)]));
      evaluation = { final };
    }
    await metrics.drain();
    endPhase('evaluateMs');
    const pruned = result.stopReason === 'cancelled' && pruneReason !== null && !cancelPolled && !deps.cancelRequested(run.id);
    const canceled = result.stopReason === 'cancelled' && !pruned;
    const status = pruned ? 'PRUNED' : canceled ? 'CANCELED' : 'SUCCEEDED';
    logs.add(
      pruned
        ? `pruned by its sweep after epoch ${result.lastEpoch}`
        : canceled
          ? `canceled after epoch ${result.lastEpoch}`
          : `finished (${result.stopReason}) after ${result.lastEpoch} ${run.paradigm === 'reinforcement' ? 'episodes' : 'epochs'} on ${result.backend}`,
    );
    await prisma.run.update({
      where: { id: run.id },
      data: {
        status,
        finishedAt: new Date(),
        evaluation: (evaluation ?? undefined) as Prisma.InputJsonValue | undefined,
        backend: (deps.loaded && backendNameOf(result.backend, deps.loaded)) || result.backend,
        environment: { versions: deps.versions, host: os.hostname(), stopReason: pruned ? 'pruned' : result.stopReason, ...(pruned ? { pruneReason } : {}), phases },
      },
    });
    finalStatus = status;
    await prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: run.id, type: 'run', status })})`;
  } catch (err) {
    const message =
      err instanceof DivergenceError || err instanceof TrainingDataError || (err as Error).name === 'RunConfigError' || (err as Error).name === 'DataLoadError' || (err as Error).name === 'BackendUnavailableError'
        ? (err as Error).message
        : `${(err as Error).name ?? 'Error'}: ${(err as Error).message ?? String(err)}`;
    logs.add(`failed: ${message}`, 'error');
    if (!(err instanceof DivergenceError) && (err as Error).stack) logs.add((err as Error).stack!, 'debug');
    await metrics.flush().catch(() => {});
    await prisma.run.update({ where: { id: run.id }, data: { status: 'FAILED', finishedAt: new Date(), error: message.slice(0, 5000) } }).then(
      () => (finalStatus = 'FAILED'),
      () => {},
    );
    await prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: run.id, type: 'run', status: 'FAILED' })})`.catch(() => {});
  } finally {
    clearInterval(heartbeat);
    clearInterval(system);
    await logs.flush().catch(() => {});
    result?.dispose();
    resumed?.dispose();
    tf.dispose(tensors);
  }
  if (finalStatus && deps.afterRun) {
    await deps.afterRun({ id: run.id, sweepId: run.sweepId, status: finalStatus }).catch((err: Error) => echo(`after run ${run.id}: ${err.message}`));
  }
}
