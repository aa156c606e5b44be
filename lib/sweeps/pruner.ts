import type { PrismaClient } from '@prisma/client';
import { ZMedianStopping, ZSweepObjective } from '../schemas/sweeps';
import { medianPrune, objectiveSeries, type PruneDecision } from './objective';

export type EpochPruner = (epoch: number, logs: Record<string, number>) => Promise<PruneDecision | null>;

/**
 * The worker's median early stopping for one run: null unless the run belongs to a sweep with
 * early stopping. Called after each epoch's metrics are known; it reads the run's own earlier
 * epochs and the completed runs' values at the same epoch from Postgres, so any worker decides
 * the same way.
 */
export async function sweepPruner(prisma: PrismaClient, run: { id: string; sweepId: string | null }): Promise<EpochPruner | null> {
  if (!run.sweepId) return null;
  const sweep = await prisma.sweep.findUnique({ where: { id: run.sweepId }, select: { id: true, objective: true, earlyStopping: true } });
  if (!sweep?.earlyStopping) return null;
  const objective = ZSweepObjective.parse(sweep.objective);
  const settings = ZMedianStopping.parse(sweep.earlyStopping);
  const { key, context } = objectiveSeries(objective.metric);
  return async (epoch, logs) => {
    const current = logs[objective.metric];
    if (current === undefined || epoch <= settings.warmupEpochs) return null;
    const [own, others, completedRuns] = await Promise.all([
      prisma.$queryRaw<{ value: number }[]>`
        SELECT p.value FROM "MetricPoint" p JOIN "MetricSeries" s ON s.id = p."seriesId"
        WHERE s."runId" = ${run.id} AND s.key = ${key} AND s.context = ${context} AND p.step < ${epoch}`,
      prisma.$queryRaw<{ value: number }[]>`
        SELECT p.value FROM "MetricPoint" p JOIN "MetricSeries" s ON s.id = p."seriesId" JOIN "Run" r ON r.id = s."runId"
        WHERE r."sweepId" = ${sweep.id} AND r.status = 'SUCCEEDED' AND r.id <> ${run.id}
          AND s.key = ${key} AND s.context = ${context} AND p.step = ${epoch}`,
      prisma.run.count({ where: { sweepId: sweep.id, status: 'SUCCEEDED', id: { not: run.id } } }),
    ]);
    return medianPrune({
      settings,
      direction: objective.direction,
      epoch,
      own: [...own.map((r) => r.value), current],
      completedAtEpoch: others.map((r) => r.value),
      completedRuns,
      metric: objective.metric,
    });
  };
}
