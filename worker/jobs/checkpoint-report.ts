import type { Prisma, PrismaClient } from '@prisma/client';
import * as tf from '@tensorflow/tfjs';
import type { ArtifactStore } from '@/lib/artifacts/store';
import { RUNS_CHANNEL } from '@/lib/channels';
import type { ReportJob } from '@/lib/queue';
import { RUN_DOCUMENT_SCHEMA_VERSION, testMetricsOf, type CheckpointReports } from '@/lib/schemas/run-documents';
import { ZRunConfig } from '@/lib/schemas/runs';
import { loadCheckpoint } from '../checkpoint/checkpoint';
import { loadDatasetVersion } from '../data/load';
import { evaluateModel, predictAll } from '../training/evaluate';
import { computeReports } from './reports';
import { toTensors } from './train-run';
import { firstLine, InvalidInputError, runFailureMessage } from '@/lib/errors';
import { logFailure } from '@/lib/log';

/** The test figures a checkpoint's reports row keeps beside its status. */
const HEADLINE = ['accuracy', 'mae', 'rmse', 'r2'];

/**
 * Reports on demand for one checkpoint of a finished supervised run: the checkpoint's model is
 * loaded, evaluated on the run's test split, and both reports are computed as the run's own
 * were (same seed, same data version), stored beside the checkpoint and referenced from its row.
 * The row carries the status (queued → running → done | failed) the run page polls.
 */
export async function handleReportJob(job: ReportJob, deps: { prisma: PrismaClient; store: ArtifactStore; log?: (line: string) => void }): Promise<void> {
  const { prisma, store } = deps;
  const log = deps.log ?? (() => {});
  const checkpoint = await prisma.checkpoint.findUnique({ where: { id: job.checkpointId }, include: { run: true } });
  if (!checkpoint) return log(`checkpoint ${job.checkpointId} is gone; report skipped`);
  const run = checkpoint.run;
  const set = async (reports: Omit<CheckpointReports, 'requestedAt' | 'schemaVersion'>) => {
    const row: CheckpointReports = { schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION, requestedAt: job.requestedAt, ...reports };
    await prisma.checkpoint.update({ where: { id: checkpoint.id }, data: { reports: row as Prisma.InputJsonValue } });
    await prisma.$executeRaw`SELECT pg_notify(${RUNS_CHANNEL}, ${JSON.stringify({ runId: run.id, type: 'checkpoint-report', checkpointId: checkpoint.id })})`.catch(
      logFailure(`notifying listeners of checkpoint ${checkpoint.id}'s report`, deps.log),
    );
  };
  await set({ status: 'running', startedAt: new Date().toISOString() });
  const tensors: tf.Tensor[] = [];
  let dispose: (() => void) | null = null;
  try {
    if (!run.datasetVersionId || run.paradigm !== 'supervised') throw new InvalidInputError('reports need a supervised run with a dataset');
    const config = ZRunConfig.parse(run.config);
    const data = await loadDatasetVersion(prisma, store, run.datasetVersionId);
    if (data.test.n === 0) throw new InvalidInputError('the dataset version has no test split');
    const loaded = await loadCheckpoint(store, checkpoint.key);
    dispose = loaded.dispose;
    const model = loaded.models.model;
    if (!model) throw new InvalidInputError('the checkpoint holds no supervised model');
    const test = toTensors(data.test, data);
    tensors.push(test.x, test.y);
    const scores = predictAll(model, test.x);
    if (scores.some((s) => !Number.isFinite(s))) throw new InvalidInputError(`the model of epoch ${checkpoint.epoch} predicts non-finite values`);
    const ev = evaluateModel(model, test.x, test.y, data.task.kind, data.classNames?.length);
    let valScores: Float32Array | null = null;
    if (data.validation.n > 0) {
      const val = toTensors(data.validation, data);
      tensors.push(val.x, val.y);
      valScores = predictAll(model, val.x);
    }
    const lines: string[] = [];
    const refs = await computeReports({
      model,
      data,
      scores,
      valScores,
      seed: config.seed,
      store,
      prefix: `teams/${run.teamId}/runs/${run.id}/checkpoint-reports/${checkpoint.id}`,
      log: (l) => lines.push(l),
    });
    const headline = Object.fromEntries(
      testMetricsOf(ev)
        .filter((m) => HEADLINE.includes(m.key))
        .map((m) => [m.key, m.value]),
    );
    await set({ status: 'done', finishedAt: new Date().toISOString(), ...headline, ...refs, log: lines });
    log(`reports for run ${run.number}, checkpoint of epoch ${checkpoint.epoch} (${checkpoint.kind}): ${lines.join('; ')}`);
  } catch (err) {
    const error = firstLine(runFailureMessage(err));
    await set({ status: 'failed', finishedAt: new Date().toISOString(), error });
    log(`reports for checkpoint ${checkpoint.id} failed: ${error}`);
  } finally {
    tf.dispose(tensors);
    dispose?.();
  }
}
