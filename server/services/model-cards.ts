import { prisma } from '@/lib/db/client';
import { buildModelCard, type CardDecision, type ModelCard } from '@/lib/model-card';
import { ZModelCardInput, type ModelCardInput } from '@/lib/schemas/reviews';
import type { Role } from '@/lib/schemas/teams';
import { hasRole } from '@/lib/roles';
import { loadRunReports } from '@/lib/runs/reports';
import { recordAudit } from './audit';
import { forbidden, notFound } from './errors';
import { currentOfRuns, reviewsOfRun } from './reviews';

/**
 * A run's model card: generated when read from the run, its pinned architecture and dataset
 * versions, its reports, the team's gates and the review decisions; only the hand-written
 * sections (intended use, out-of-scope uses, ethical considerations, caveats) are stored.
 */

const HYPERPARAMETERS = ['epochs', 'batchSize', 'learningRate', 'optimizer', 'lrSchedule', 'loss', 'seed', 'sampleWeights', 'earlyStopping', 'classWeights', 'useValidationSplit'];

export async function getModelCard(teamId: string, runId: string): Promise<ModelCard> {
  const run = await prisma.run.findFirst({
    where: { id: runId, teamId },
    include: {
      team: { select: { name: true, slug: true } },
      project: { select: { name: true, slug: true } },
      createdBy: { select: { name: true } },
      architectureVersion: { select: { id: true, version: true, layerCount: true, totalParams: true, architecture: { select: { name: true, kind: true } } } },
      datasetVersion: { select: { id: true, version: true, rowCount: true, task: true, labelColumn: true, sensitiveColumns: true, split: true, dataset: { select: { name: true } } } },
      modelCard: true,
    },
  });
  if (!run) throw notFound('Run');
  const current = (await currentOfRuns(teamId, [runId])).get(runId)!;
  const { evaluation, fairness, explain } = await loadRunReports({ evaluation: run.evaluation });
  const checkpoint = current.pins.checkpointId ? await prisma.checkpoint.findUnique({ where: { id: current.pins.checkpointId }, select: { id: true, epoch: true, kind: true } }) : null;
  const config = (run.config ?? {}) as Record<string, unknown>;
  const decisions: CardDecision[] = (await reviewsOfRun(teamId, runId)).flatMap((r) =>
    r.runs
      .filter((x) => x.id === runId)
      .flatMap((x) =>
        x.decisions.map((d) => ({
          reviewTitle: r.title,
          reviewer: d.reviewer,
          verdict: d.verdict,
          justification: d.justification,
          createdAt: d.createdAt.toISOString(),
          stale: d.stale,
          staleReasons: d.staleReasons,
          pinned: { checkpointId: d.checkpointId, datasetVersionId: d.datasetVersionId, reportHash: d.reportHash },
        })),
      ),
  );
  const av = run.architectureVersion;
  const dv = run.datasetVersion;
  return buildModelCard({
    generatedAt: new Date(),
    run: {
      id: run.id,
      number: run.number,
      name: run.name,
      project: run.project.name,
      team: run.team.name,
      status: run.status,
      paradigm: run.paradigm,
      author: run.createdBy?.name ?? null,
      createdAt: run.createdAt.toISOString(),
      finishedAt: run.finishedAt?.toISOString() ?? null,
      backend: run.backend,
    },
    modelDetails: {
      architecture: av ? { id: av.id, name: av.architecture.name, version: av.version, kind: av.architecture.kind, layers: av.layerCount, parameters: av.totalParams } : null,
      trainingData: dv
        ? {
            id: dv.id,
            name: dv.dataset.name,
            version: dv.version,
            rows: dv.rowCount,
            task: dv.task,
            label: dv.labelColumn,
            sensitive: dv.sensitiveColumns,
            split: (dv.split ?? {}) as Record<string, unknown>,
          }
        : null,
      hyperparameters: Object.fromEntries(HYPERPARAMETERS.filter((k) => config[k] !== undefined).map((k) => [k, config[k]])),
      checkpoint,
      reportHash: current.pins.reportHash,
    },
    texts: { intendedUse: run.modelCard?.intendedUse ?? '', outOfScope: run.modelCard?.outOfScope ?? '', ethical: run.modelCard?.ethical ?? '', caveats: run.modelCard?.caveats ?? '' },
    evaluation,
    fairness,
    explain,
    gates: { status: current.gates.status, results: current.gates.results.map((g) => ({ description: g.description, status: g.status, value: g.value })) },
    reweighing: config.sampleWeights === true,
    decisions,
  });
}

export async function updateModelCard(args: { teamId: string; actorId: string; actorRole: Role; input: ModelCardInput }) {
  if (!hasRole(args.actorRole, 'MEMBER')) throw forbidden('Viewers cannot edit model cards');
  const { runId, ...fields } = ZModelCardInput.parse(args.input);
  const run = await prisma.run.findFirst({ where: { id: runId, teamId: args.teamId }, select: { id: true, number: true } });
  if (!run) throw notFound('Run');
  await prisma.$transaction(async (tx) => {
    await tx.modelCard.upsert({ where: { runId }, create: { runId, teamId: args.teamId, updatedById: args.actorId, ...fields }, update: { updatedById: args.actorId, ...fields } });
    await recordAudit(tx, {
      teamId: args.teamId,
      actorId: args.actorId,
      action: 'model_card.updated',
      targetType: 'run',
      targetId: runId,
      details: { runNumber: run.number, fields: Object.keys(fields) },
    });
  });
  return getModelCard(args.teamId, runId);
}
