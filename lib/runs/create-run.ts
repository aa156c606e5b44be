/**
 * Creating a run, shared by the web service (server/services/runs.ts) and the sweep scheduler
 * (lib/sweeps/scheduler.ts, which the worker runs): validated against the architecture and
 * dataset it pins, then inserted and queued in one transaction. It takes the caller's database
 * handle (one pool per process) and throws the user errors of lib/errors (not found, invalid
 * input naming the field, conflict), which every transport maps and the scheduler turns into a
 * cancelled sweep.
 */
import type { Prisma, PrismaClient } from '@prisma/client';
import { checkArchitecture } from '@/lib/arch/infer';
import { ZArchitectureSpec } from '@/lib/arch/spec';
import { ConflictError, InvalidInputError, NotFoundError } from '@/lib/errors';
import { checkCompatibility, dataShapeOf } from '@/lib/runs/compat';
import { queueNewRun } from '@/lib/runs/lifecycle';
import type { z } from 'zod';
import type { ZCreateRunInput } from '@/lib/schemas/run-input';
import { checkRunConfig } from '@/lib/schemas/runs';

/**
 * A run made by a sweep: its trial number, and `claim`, called inside the transaction that
 * inserts the run (before the insert) so the sweep can lock its row and refuse a trial that no
 * longer fits its budget or parallelism (see lib/sweeps/scheduler.ts).
 */
export interface SweepTrialSlot {
  id: string;
  trial: number;
  claim: (tx: Prisma.TransactionClient) => Promise<void>;
}

const notFound = (what: string) => new NotFoundError(`${what} not found`);

/** `input` is already parsed (ZCreateRunInput); the caller has checked the user may write. */
export async function createQueuedRun(
  db: PrismaClient,
  args: { teamId: string; userId: string; input: z.output<typeof ZCreateRunInput>; clonedFromId?: string; sweep?: SweepTrialSlot },
): Promise<{ id: string; number: number; name: string }> {
  const { input } = args;
  const project = await db.project.findFirst({ where: { id: input.projectId, teamId: args.teamId }, select: { id: true } });
  if (!project) throw notFound('Project');
  const arch = await db.architecture.findFirst({ where: { id: input.architectureId, teamId: args.teamId } });
  if (!arch) throw notFound('Architecture');
  const archVersion = await db.architectureVersion.findUnique({
    where: { architectureId_version: { architectureId: arch.id, version: input.architectureVersion ?? arch.latestVersion } },
  });
  if (!archVersion) throw notFound(`Version ${input.architectureVersion} of ${arch.name}`);
  const check = checkArchitecture(ZArchitectureSpec.parse(archVersion.spec));
  if (!check.ok) throw new InvalidInputError(`${arch.name} v${archVersion.version} cannot be built: ${check.issue.message}`, { field: 'architectureId' });

  let datasetVersion = null;
  let dataset = null;
  if (input.config.paradigm !== 'reinforcement') {
    if (!input.datasetId) throw new InvalidInputError(`${input.config.paradigm} training needs a dataset`, { field: 'datasetId' });
    dataset = await db.dataset.findFirst({ where: { id: input.datasetId, teamId: args.teamId } });
    if (!dataset) throw notFound('Dataset');
    datasetVersion = await db.datasetVersion.findUnique({
      where: { datasetId_version: { datasetId: dataset.id, version: input.datasetVersion ?? dataset.latestVersion } },
    });
    if (!datasetVersion) throw notFound(`Version ${input.datasetVersion} of ${dataset.name}`);
  }
  const shape = datasetVersion ? dataShapeOf({ kind: dataset!.kind, task: datasetVersion.task, schema: datasetVersion.schema, preprocessing: datasetVersion.preprocessing }) : null;
  const problems = [
    ...checkCompatibility(input.config.paradigm, check.summary, shape),
    ...checkRunConfig(input.config, {
      task: shape?.task?.kind,
      numClasses: shape?.numClasses ?? undefined,
      hasValidation: datasetVersion ? ((datasetVersion.split as { counts?: { validation?: number } }).counts?.validation ?? 0) > 0 : undefined,
      // Sample weights come from fairness reweighing, which needs a binary label and a sensitive attribute.
      hasSampleWeights: !!datasetVersion && datasetVersion.sensitiveColumns.length > 0 && shape?.task?.kind === 'binary',
    }),
  ];
  if (problems.length) throw new InvalidInputError(problems.join('; '), { field: 'config' });

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        await args.sweep?.claim(tx);
        const last = await tx.run.aggregate({ where: { projectId: input.projectId }, _max: { number: true } });
        const number = (last._max.number ?? 0) + 1;
        const run = await queueNewRun(tx, {
          teamId: args.teamId,
          projectId: input.projectId,
          number,
          name: input.name || `${arch.name} · ${dataset?.name ?? 'CartPole'} #${number}`,
          paradigm: input.config.paradigm,
          architectureVersionId: archVersion.id,
          datasetVersionId: datasetVersion?.id,
          config: input.config as Prisma.InputJsonValue,
          tags: input.tags,
          notes: input.notes,
          priority: input.priority,
          createdById: args.userId,
          clonedFromId: args.clonedFromId,
          sweepId: args.sweep?.id,
          sweepTrial: args.sweep?.trial,
        });
        return { id: run.id, number: run.number, name: run.name };
      });
    } catch (err) {
      // Two runs took the same number at once: number again.
      if ((err as { code?: string }).code !== 'P2002') throw err;
    }
  }
  throw new ConflictError('Could not number the run; try again');
}
