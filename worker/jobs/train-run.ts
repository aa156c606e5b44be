import os from 'node:os';
import type { Prisma, PrismaClient } from '@prisma/client';
import * as tf from '@tensorflow/tfjs';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { augmentBatch, ZAugmentSettings } from '@/lib/datasets/augment';
import { deriveSeed } from '@/lib/random';
import type { TrainJob } from '@/lib/queue';
import { claimRun, failRun, finishRun, requeueOnShutdown, type TransitionResult } from '@/lib/runs/lifecycle';
import { isUserError, runFailureMessage } from '@/lib/errors';
import { ZRunConfig } from '@/lib/schemas/runs';
import { RUN_DOCUMENT_SCHEMA_VERSION, testMetricsOf, type ReinforcementEvaluation, type RunEvaluation, type SupervisedEvaluation, type UnsupervisedEvaluation } from '@/lib/schemas/run-documents';
import { sweepPruner } from '@/lib/sweeps/pruner';
import { truncateRunMetrics, type MetricPointInput } from '@/lib/tracking/metrics';
import { loadCheckpoint } from '../checkpoint/checkpoint';
import { loadDatasetVersion, type LoadedData, type SplitArrays } from '../data/load';
import { predictAll, evaluateModel } from '../training/evaluate';
import { computeReports } from './reports';
import { reweigh } from '@/lib/fairness/mitigation';
import { TrainingDataError, type TrainerState } from '../training/hooks';
import { trainRun, type RunData } from '../training/train-run';
import { backendNameOf, deviceOf, TF_BACKEND_OF, type LoadedBackend } from '../backend';
import { describeChoice } from '../training/autotune';
import { chooseRunBackend, prismaAutotuneCache } from './choose-backend';
import { checkpointSink } from './train-run/checkpoint-sink';
import { RunTelemetry } from './train-run/telemetry';

/**
 * The job handler: it only wires the pipeline's parts together —
 * claim the run → load data → (resume from a checkpoint) → train with hooks that stream
 * metrics, logs, progress (train-run/telemetry.ts) and checkpoints (train-run/checkpoint-sink.ts)
 * into Postgres and the artifact store → evaluate on the test split → store predictions → final
 * status. Everything it learns is written to rows as it goes, so a crash loses at most the
 * unflushed fraction of a second. Every change of the run's state goes through
 * lib/runs/lifecycle.ts, fenced by the attempt this job claimed: once the run was given to
 * another attempt (this worker was presumed lost), it stops and writes nothing more.
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

export function toTensors(split: SplitArrays, data: LoadedData): { x: tf.Tensor; y: tf.Tensor } {
  const x = data.inputDtype === 'int32' ? tf.tensor(split.x, [split.n, ...data.inputShape], 'int32') : tf.tensor(split.x, [split.n, ...data.inputShape], 'float32');
  const width = split.n ? split.y.length / split.n : 1;
  const y = data.task.kind === 'regression' ? tf.tensor(split.y, [split.n, width], 'float32') : tf.tensor1d(Array.from(split.y), 'float32');
  return { x, y };
}

export async function handleTrainJob(job: TrainJob, deps: TrainJobDeps): Promise<void> {
  const { prisma, store } = deps;
  const echo = deps.log ?? (() => {});
  // Claim: only the job for the run's current attempt may start it (older jobs are stale).
  const claimed = await claimRun(prisma, { runId: job.runId, attempt: job.attempt, workerId: deps.workerId, backend: deps.backendName, device: deps.device });
  if (!claimed.ok) {
    echo(`job for run ${job.runId} attempt ${job.attempt} is stale (${claimed.reason}); skipped`);
    return;
  }
  const run = await prisma.run.findUniqueOrThrow({ where: { id: job.runId } });
  const attempt = { runId: run.id, attempt: run.attempt };
  const telemetry = new RunTelemetry(prisma, attempt, echo, run.number);
  const { logs, metrics } = telemetry;
  telemetry.start(deps.heartbeatMs);
  /** A final transition the lifecycle refused: this attempt was superseded, so the next one owns the run. */
  const refused = (r: TransitionResult) => {
    if (!r.ok) telemetry.supersededBy(r);
    return !r.ok;
  };

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
      await prisma.run.updateMany({
        where: { id: run.id, attempt: run.attempt },
        data: {
          backend: choice.backend,
          device: deps.loaded.available.find((b) => b.name === choice.backend)?.device ?? deviceOf(choice.backend, adapter),
          backendChoice: choice as unknown as Prisma.InputJsonValue,
          gpuAdapter: adapter ? (adapter as unknown as Prisma.InputJsonValue) : undefined,
        },
      });
    }

    const epochs = run.paradigm === 'reinforcement' ? (config.rl?.episodes ?? 500) : config.epochs;
    const progress = telemetry.progressOf(epochs);
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
        shouldStop: () => pruneReason !== null || telemetry.lost !== null || telemetry.cancelPolled || deps.cancelRequested(run.id) || (deps.shuttingDown?.() ?? false),
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
        onCheckpoint: checkpointSink({
          prisma,
          store,
          run,
          monitor: config.checkpoint.monitor,
          metrics,
          log: (line, level) => logs.add(line, level),
          onSuperseded: (r) => telemetry.supersededBy(r),
        }),
        onSamples: async ({ epoch, kind, samples }) => {
          const key = `teams/${run.teamId}/runs/${run.id}/samples/${kind}-latest.json`;
          await store.put(key, Buffer.from(JSON.stringify({ epoch, kind, samples })));
          await progress(epoch, { samples: { key, kind, epoch } });
        },
      },
    });
    await metrics.drain();
    endPhase('trainMs');
    if (telemetry.lost) return;
    if (result.stopReason === 'cancelled' && pruneReason === null && !telemetry.cancelPolled && !deps.cancelRequested(run.id) && deps.shuttingDown?.()) {
      // Not a user's cancel: this worker is shutting down. Hand the run to the next worker.
      const r = await requeueOnShutdown(prisma, attempt);
      if (refused(r)) return;
      logs.add(
        r.status === 'QUEUED'
          ? `worker shutting down after epoch ${result.lastEpoch}; the run is queued again and resumes from its last checkpoint`
          : `worker shutting down after epoch ${result.lastEpoch}; a cancel was requested, so the run is canceled`,
      );
      return;
    }

    // Evaluation on the held-out test split.
    let evaluation: RunEvaluation | null = null;
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
        Buffer.from(
          JSON.stringify({
            task: data.task,
            classNames: data.classNames,
            scores: Array.from(scores),
            labels: Array.from(data.test.y),
            sensitive: data.test.sensitive,
            featureNames: data.featureNames,
          }),
        ),
      );
      const flat: MetricPointInput[] = testMetricsOf(ev).map((m) => ({ ...m, context: 'test', step: 0 }));
      metrics.add(...flat);
      logs.add(`test: ${flat.map((p) => `${p.key} ${p.value.toFixed(4)}`).join(', ')}`);

      // Fairness and explainability reports: a failure here is logged, never fails the run.
      let valScores: Float32Array | null = null;
      if (data.validation.n > 0) {
        const val = toTensors(data.validation, data);
        tensors.push(val.x, val.y);
        valScores = predictAll(result.models.model, val.x);
      }
      const refs = await computeReports({
        model: result.models.model,
        data,
        scores,
        valScores,
        seed: config.seed,
        store,
        prefix: `teams/${run.teamId}/runs/${run.id}`,
        log: (l, level) => logs.add(l, level),
      });
      evaluation = { schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION, ...ev, classNames: data.classNames, testExamples: data.test.n, predictionsKey, ...refs } satisfies SupervisedEvaluation;
    } else if (run.paradigm === 'reinforcement') {
      evaluation = {
        schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION,
        solvedAt: result.solvedAt ?? null,
        bestMeanReturn: result.bestMeanReturn ?? null,
        episodes: result.lastEpoch,
      } satisfies ReinforcementEvaluation;
    } else {
      const final = Object.fromEntries(Object.entries(result.history.logs).flatMap(([k, v]) => (v.length ? [[k, v.at(-1)!]] : [])));
      evaluation = { schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION, final } satisfies UnsupervisedEvaluation;
    }
    await metrics.drain();
    endPhase('evaluateMs');
    const pruned = result.stopReason === 'cancelled' && pruneReason !== null && !telemetry.cancelPolled && !deps.cancelRequested(run.id);
    const canceled = result.stopReason === 'cancelled' && !pruned;
    const status = pruned ? 'PRUNED' : canceled ? 'CANCELED' : 'SUCCEEDED';
    logs.add(
      pruned
        ? `pruned by its sweep after epoch ${result.lastEpoch}`
        : canceled
          ? `canceled after epoch ${result.lastEpoch}`
          : `finished (${result.stopReason}) after ${result.lastEpoch} ${run.paradigm === 'reinforcement' ? 'episodes' : 'epochs'} on ${result.backend}`,
    );
    const finished = await finishRun(prisma, {
      ...attempt,
      status,
      data: {
        evaluation: (evaluation ?? undefined) as Prisma.InputJsonValue | undefined,
        backend: (deps.loaded && backendNameOf(result.backend, deps.loaded)) || result.backend,
        environment: { versions: deps.versions, host: os.hostname(), stopReason: pruned ? 'pruned' : result.stopReason, ...(pruned ? { pruneReason } : {}), phases },
      },
    });
    if (refused(finished)) return;
    finalStatus = status;
  } catch (err) {
    const message = runFailureMessage(err);
    logs.add(`failed: ${message}`, 'error');
    if (!isUserError(err) && (err as Error).stack) logs.add((err as Error).stack!, 'debug');
    await metrics.flush().catch((e: unknown) => echo(`run ${run.id}: flushing metrics after the failure failed: ${(e as Error).message}`));
    if (telemetry.lost) return;
    try {
      const failed = await failRun(prisma, { ...attempt, error: message });
      if (!refused(failed)) finalStatus = 'FAILED';
    } catch (e) {
      // The reaper fails (or requeues) the run once its heartbeat is stale.
      echo(`run ${run.id}: storing its failure failed, left to the reaper: ${(e as Error).message.split('\n')[0]}`);
    }
  } finally {
    telemetry.stop();
    await logs.flush();
    result?.dispose();
    resumed?.dispose();
    tf.dispose(tensors);
  }
  if (finalStatus && deps.afterRun) {
    await deps.afterRun({ id: run.id, sweepId: run.sweepId, status: finalStatus }).catch((err: Error) => echo(`after run ${run.id}: ${err.message}`));
  }
}
