import type { Prisma } from '@prisma/client';
import { prisma } from '@/lib/db/client';
import { logFailure } from '@/lib/log';
import { can } from '@/lib/roles';
import { ZRunConfig } from '@/lib/schemas/runs';
import { ZCreateSweepInput, ZMedianStopping, ZSweepObjective, ZSweepSpace, type CreateSweepInput } from '@/lib/schemas/sweeps';
import type { Role } from '@/lib/schemas/teams';
import { bestIndex, objectiveSeries, objectiveValue } from '@/lib/sweeps/objective';
import * as scheduler from '@/lib/sweeps/scheduler';
import { effectiveBudget } from '@/lib/sweeps/space';
import { badRequest, conflict, forbidden, notFound } from './errors';
import { cancelRun } from './runs';

/**
 * Sweeps for the web app: create, cancel, list, show. The scheduler that queues their trials
 * lives in lib/sweeps/scheduler.ts (the worker runs it too); these wrappers run it on the web
 * process's one Prisma client.
 */

const ACTIVE = ['QUEUED', 'RUNNING'] as const;

async function sweepOfTeam(teamId: string, sweepId: string) {
  const sweep = await prisma.sweep.findFirst({ where: { id: sweepId, teamId } });
  if (!sweep) throw notFound('Sweep');
  return sweep;
}

/** Queues the sweep's next trials (see lib/sweeps/scheduler.ts); throws why the first trial could not be queued. */
export async function advanceSweep(sweepId: string): Promise<{ queued: string[] }> {
  const { queued } = await scheduler.advanceSweep(prisma, sweepId);
  return { queued };
}

/** The periodic tick (upkeep): advances every running sweep that has room or is done. */
export async function advanceRunningSweeps(): Promise<number> {
  return scheduler.advanceRunningSweeps(prisma);
}

export async function createSweep(args: { teamId: string; userId: string; role: Role; input: CreateSweepInput }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot start sweeps');
  const input = ZCreateSweepInput.parse(args.input);
  const project = await prisma.project.findFirst({ where: { id: input.projectId, teamId: args.teamId }, select: { id: true } });
  if (!project) throw notFound('Project');
  const arch = await prisma.architecture.findFirst({ where: { id: input.architectureId, teamId: args.teamId } });
  if (!arch) throw notFound('Architecture');
  let datasetVersion: number | null = null;
  if (input.config.paradigm !== 'reinforcement') {
    if (!input.datasetId) throw badRequest(`${input.config.paradigm} training needs a dataset`, 'datasetId');
    const dataset = await prisma.dataset.findFirst({ where: { id: input.datasetId, teamId: args.teamId } });
    if (!dataset) throw notFound('Dataset');
    datasetVersion = input.datasetVersion ?? dataset.latestVersion;
  }
  if (input.objective.metric.startsWith('val_') && !input.config.useValidationSplit) {
    throw badRequest(`the objective ${input.objective.metric} needs the validation split, which the base configuration switches off`, 'objective');
  }
  const budget = effectiveBudget(input.method, input.space, input.maxRuns);
  let sweep;
  try {
    sweep = await prisma.sweep.create({
      data: {
        teamId: args.teamId,
        projectId: input.projectId,
        createdById: args.userId,
        name: input.name,
        method: input.method,
        seed: input.seed,
        architectureId: arch.id,
        architectureVersion: input.architectureVersion ?? arch.latestVersion,
        datasetId: input.config.paradigm === 'reinforcement' ? null : input.datasetId,
        datasetVersion,
        config: input.config as Prisma.InputJsonValue,
        space: input.space as Prisma.InputJsonValue,
        maxRuns: budget,
        parallelism: input.parallelism,
        objective: input.objective as Prisma.InputJsonValue,
        earlyStopping: input.earlyStopping === null ? undefined : (input.earlyStopping as Prisma.InputJsonValue),
      },
    });
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') throw conflict(`A sweep named “${input.name}” already exists in this project`, 'name');
    throw err;
  }
  try {
    await advanceSweep(sweep.id);
  } catch (err) {
    // The first trial could not be queued (e.g. the config does not fit the dataset): no sweep.
    await prisma.sweep.delete({ where: { id: sweep.id } }).catch(logFailure(`removing sweep ${sweep.id}, whose first trial could not be queued`));
    throw err;
  }
  return { id: sweep.id, maxRuns: budget };
}

/** Stops queuing trials; with `stopRuns`, also cancels the sweep's queued and running runs. */
export async function cancelSweep(args: { teamId: string; role: Role; sweepId: string; stopRuns: boolean }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot cancel sweeps');
  const sweep = await sweepOfTeam(args.teamId, args.sweepId);
  if (sweep.status !== 'RUNNING') throw badRequest(`This sweep has already ${sweep.status === 'FINISHED' ? 'finished' : 'been cancelled'}`);
  // Taking the row lock waits for a scheduler that is queuing a trial right now.
  await prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Sweep" WHERE id = ${sweep.id} FOR UPDATE`;
    await tx.sweep.updateMany({ where: { id: sweep.id, status: 'RUNNING' }, data: { status: 'CANCELLED', reason: 'cancelled by a user', finishedAt: new Date() } });
  });
  let canceled = 0;
  if (args.stopRuns) {
    const active = await prisma.run.findMany({ where: { sweepId: sweep.id, status: { in: [...ACTIVE] } }, select: { id: true } });
    for (const r of active) {
      await cancelRun({ teamId: args.teamId, role: args.role, runId: r.id }).then(
        () => canceled++,
        () => {},
      );
    }
  }
  return { status: 'CANCELLED' as const, canceledRuns: canceled };
}

export async function listSweeps(teamId: string, projectId: string) {
  const sweeps = await prisma.sweep.findMany({
    where: { teamId, projectId },
    orderBy: { createdAt: 'desc' },
    take: 200,
    select: {
      id: true,
      name: true,
      status: true,
      method: true,
      maxRuns: true,
      parallelism: true,
      objective: true,
      earlyStopping: true,
      createdAt: true,
      finishedAt: true,
      createdBy: { select: { name: true, email: true } },
    },
  });
  if (!sweeps.length) return [];
  const counts = await prisma.run.groupBy({ by: ['sweepId', 'status'], where: { sweepId: { in: sweeps.map((s) => s.id) } }, _count: { _all: true } });
  return Promise.all(
    sweeps.map(async (s) => {
      const byStatus: Record<string, number> = {};
      for (const c of counts) if (c.sweepId === s.id) byStatus[c.status] = c._count._all;
      const best = await bestOf(s.id, ZSweepObjective.parse(s.objective));
      return { ...s, objective: ZSweepObjective.parse(s.objective), runsByStatus: byStatus, done: doneCount(byStatus), best };
    }),
  );
}

const doneCount = (byStatus: Record<string, number>) => Object.entries(byStatus).reduce((n, [status, c]) => n + (ACTIVE.includes(status as never) ? 0 : c), 0);

async function objectiveRows(sweepId: string, objective: { metric: string }) {
  const { key, context } = objectiveSeries(objective.metric);
  return prisma.metricSeries.findMany({ where: { key, context, run: { sweepId } }, select: { runId: true, last: true, min: true, max: true } });
}

async function bestOf(sweepId: string, objective: ReturnType<typeof ZSweepObjective.parse>) {
  const rows = await objectiveRows(sweepId, objective);
  const runs = await prisma.run.findMany({ where: { sweepId, status: { in: ['SUCCEEDED', 'PRUNED'] } }, select: { id: true, number: true, name: true, status: true } });
  const byRun = new Map(rows.map((r) => [r.runId, r]));
  // Pruned runs stopped early, so their values do not compete with completed runs' (as in Optuna).
  const completed = runs.filter((r) => r.status === 'SUCCEEDED');
  const values = completed.map((r) => objectiveValue(objective, byRun.get(r.id)));
  const i = bestIndex(objective.direction, values);
  return i < 0 ? null : { runId: completed[i]!.id, number: completed[i]!.number, name: completed[i]!.name, value: values[i]! };
}

function valueAt(config: unknown, path: string): unknown {
  let node = config as Record<string, unknown> | undefined;
  for (const key of path.split('.')) node = node && typeof node === 'object' ? (node[key] as Record<string, unknown> | undefined) : undefined;
  return node;
}

/** A sweep with its runs: each run's swept values (read from its config) and objective value. */
export async function getSweep(teamId: string, sweepId: string) {
  const sweep = await prisma.sweep.findFirst({
    where: { id: sweepId, teamId },
    include: { createdBy: { select: { name: true, email: true } }, project: { select: { slug: true, name: true } } },
  });
  if (!sweep) throw notFound('Sweep');
  const objective = ZSweepObjective.parse(sweep.objective);
  const space = ZSweepSpace.parse(sweep.space);
  const earlyStopping = sweep.earlyStopping ? ZMedianStopping.parse(sweep.earlyStopping) : null;
  const [runs, rows, arch, dataset] = await Promise.all([
    prisma.run.findMany({
      where: { sweepId: sweep.id },
      orderBy: { sweepTrial: 'asc' },
      select: { id: true, number: true, name: true, status: true, sweepTrial: true, config: true, progress: true, error: true, environment: true, createdAt: true, startedAt: true, finishedAt: true },
    }),
    objectiveRows(sweep.id, objective),
    prisma.architecture.findUnique({ where: { id: sweep.architectureId }, select: { name: true } }),
    sweep.datasetId ? prisma.dataset.findUnique({ where: { id: sweep.datasetId }, select: { name: true } }) : null,
  ]);
  const byRun = new Map(rows.map((r) => [r.runId, r]));
  const parameters = Object.keys(space);
  const trials = runs.map((r) => ({
    id: r.id,
    number: r.number,
    name: r.name,
    status: r.status,
    trial: r.sweepTrial,
    params: Object.fromEntries(parameters.map((p) => [p, valueAt(r.config, p) as string | number | boolean | null])),
    objective: objectiveValue(objective, byRun.get(r.id)),
    progress: r.progress as { epoch?: number; epochs?: number },
    error: r.error,
    pruneReason: ((r.environment ?? {}) as { pruneReason?: string }).pruneReason ?? null,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  }));
  const completed = trials.filter((t) => t.status === 'SUCCEEDED');
  const bi = bestIndex(
    objective.direction,
    completed.map((t) => t.objective),
  );
  const byStatus: Record<string, number> = {};
  for (const t of trials) byStatus[t.status] = (byStatus[t.status] ?? 0) + 1;
  return {
    id: sweep.id,
    name: sweep.name,
    status: sweep.status,
    reason: sweep.reason,
    method: sweep.method,
    seed: sweep.seed,
    maxRuns: sweep.maxRuns,
    parallelism: sweep.parallelism,
    objective,
    earlyStopping,
    space,
    config: ZRunConfig.parse(sweep.config),
    architecture: { id: sweep.architectureId, name: arch?.name ?? '(deleted)', version: sweep.architectureVersion },
    dataset: sweep.datasetId ? { id: sweep.datasetId, name: dataset?.name ?? '(deleted)', version: sweep.datasetVersion } : null,
    project: sweep.project,
    createdBy: sweep.createdBy,
    createdAt: sweep.createdAt,
    finishedAt: sweep.finishedAt,
    runsByStatus: byStatus,
    done: doneCount(byStatus),
    best: bi < 0 ? null : completed[bi]!,
    trials,
  };
}
