import { prisma } from '@/lib/db/client';
import { enqueueReportSql } from '@/lib/queue';
import { can } from '@/lib/roles';
import { createQueuedRun, type SweepTrialSlot } from '@/lib/runs/create-run';
import * as lifecycle from '@/lib/runs/lifecycle';
import { loadRunReports, parseCheckpointReports, parseEvaluation, type ReportSource } from '@/lib/runs/reports';
import { RUN_DOCUMENT_SCHEMA_VERSION, type CheckpointReports } from '@/lib/schemas/run-documents';
import { ZCreateRunInput, type CreateRunInput } from '@/lib/schemas/run-input';
import { ZRunConfig } from '@/lib/schemas/runs';
import type { Role } from '@/lib/schemas/teams';
import { badRequest, conflict, forbidden, notFound } from './errors';
import type { RunGates } from './gates';

/**
 * Runs: created (validated against the architecture and dataset they pin), queued in the same
 * transaction, then owned by a worker. Cancellation is a row (cancelRequestedAt) the worker polls
 * and is told about through NOTIFY, so it works from any web server.
 */

async function runOfTeam(teamId: string, runId: string) {
  const run = await prisma.run.findFirst({ where: { id: runId, teamId } });
  if (!run) throw notFound('Run');
  return run;
}

export async function createRun(args: { teamId: string; userId: string; role: Role; input: CreateRunInput; clonedFromId?: string; sweep?: SweepTrialSlot }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot start runs');
  return createQueuedRun(prisma, { ...args, input: ZCreateRunInput.parse(args.input) });
}

export async function cancelRun(args: { teamId: string; role: Role; runId: string }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot cancel runs');
  const run = await runOfTeam(args.teamId, args.runId);
  // A queued run is canceled at once; a running one is asked to stop at its next batch.
  const r = await lifecycle.cancelRun(prisma, run.id);
  if (r.ok) return { status: r.status };
  const status = r.current?.status ?? run.status;
  throw badRequest(`This run has already ${status === 'SUCCEEDED' ? 'finished' : status.toLowerCase()}`);
}

/** Queues a failed or canceled run again (same run, next attempt). */
export async function retryRun(args: { teamId: string; role: Role; runId: string }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot retry runs');
  const run = await runOfTeam(args.teamId, args.runId);
  if (!lifecycle.canTransition(run.status, 'retry')) throw badRequest('Only failed or canceled runs can be retried');
  const r = await lifecycle.retryRun(prisma, { runId: run.id, attempt: run.attempt });
  if (!r.ok) throw conflict('The run changed meanwhile; reload');
  return { status: 'QUEUED' as const, attempt: r.attempt };
}

/** A new run with the same pins and configuration, changed by `config`. */
export async function cloneRun(args: { teamId: string; userId: string; role: Role; runId: string; name?: string; config: Record<string, unknown> }) {
  const run = await runOfTeam(args.teamId, args.runId);
  const [archVersion, datasetVersion] = await Promise.all([
    run.architectureVersionId ? prisma.architectureVersion.findUnique({ where: { id: run.architectureVersionId } }) : null,
    run.datasetVersionId ? prisma.datasetVersion.findUnique({ where: { id: run.datasetVersionId } }) : null,
  ]);
  if (!archVersion) throw badRequest('The run’s architecture version no longer exists');
  const config = ZRunConfig.safeParse({ ...(run.config as object), ...args.config });
  if (!config.success) throw badRequest(config.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), 'config');
  return createRun({
    teamId: args.teamId,
    userId: args.userId,
    role: args.role,
    clonedFromId: run.id,
    input: {
      projectId: run.projectId,
      name: args.name,
      architectureId: archVersion.architectureId,
      architectureVersion: archVersion.version,
      datasetId: datasetVersion?.datasetId,
      datasetVersion: datasetVersion?.version,
      config: config.data,
      tags: run.tags,
      notes: run.notes,
      priority: run.priority,
    },
  });
}

const runSelect = {
  id: true,
  number: true,
  name: true,
  status: true,
  paradigm: true,
  tags: true,
  priority: true,
  backend: true,
  device: true,
  attempt: true,
  error: true,
  progress: true,
  createdAt: true,
  queuedAt: true,
  startedAt: true,
  finishedAt: true,
  createdBy: { select: { name: true, email: true } },
  architectureVersion: { select: { version: true, architecture: { select: { id: true, name: true } } } },
  datasetVersion: { select: { version: true, dataset: { select: { id: true, name: true } } } },
} as const;

export async function listRuns(teamId: string, projectId: string, opts: { limit?: number } = {}) {
  const runs = await prisma.run.findMany({ where: { teamId, projectId }, orderBy: { number: 'desc' }, take: opts.limit ?? 100, select: runSelect });
  const queued = await queuePositions(teamId);
  return runs.map((r) => ({ ...r, queuePosition: queued.get(r.id) ?? null }));
}

/** 1-based position among all queued runs (workers take higher priority first, then oldest). */
export async function queuePositions(teamId: string): Promise<Map<string, number>> {
  const rows = await prisma.run.findMany({ where: { status: 'QUEUED' }, orderBy: [{ priority: 'desc' }, { queuedAt: 'asc' }], select: { id: true, teamId: true } });
  return new Map(rows.map((r, i) => [r.id, i + 1] as const).filter(([id]) => rows.find((r) => r.id === id)!.teamId === teamId));
}

export async function getRun(teamId: string, runId: string) {
  const run = await prisma.run.findFirst({
    where: { id: runId, teamId },
    select: {
      ...runSelect,
      config: true,
      notes: true,
      environment: true,
      backendChoice: true,
      gpuAdapter: true,
      evaluation: true,
      projectId: true,
      cancelRequestedAt: true,
      heartbeatAt: true,
      clonedFromId: true,
      source: true,
      sweepTrial: true,
      sweep: { select: { id: true, name: true } },
      createdById: true,
      architectureVersion: { select: { version: true, spec: true, totalParams: true, architecture: { select: { id: true, name: true } } } },
      datasetVersion: { select: { version: true, rowCount: true, sensitiveColumns: true, dataset: { select: { id: true, name: true } } } },
      checkpoints: { orderBy: [{ epoch: 'asc' }, { kind: 'asc' }], select: { id: true, epoch: true, kind: true, metric: true, value: true, sizeBytes: true, createdAt: true, reports: true } },
    },
  });
  if (!run) throw notFound('Run');
  const queued = run.status === 'QUEUED' ? await queuePositions(teamId) : new Map<string, number>();
  return {
    ...run,
    evaluation: parseEvaluation(run.evaluation).value,
    checkpoints: run.checkpoints.map((c) => ({ ...c, reports: parseCheckpointReports(c.reports).value, sizeBytes: Number(c.sizeBytes) })),
    queuePosition: queued.get(run.id) ?? null,
  };
}

export async function runLogs(teamId: string, runId: string, afterId?: bigint) {
  await runOfTeam(teamId, runId);
  const rows = await prisma.runLog.findMany({ where: { runId, ...(afterId ? { id: { gt: afterId } } : {}) }, orderBy: { id: 'asc' }, take: 2000 });
  return rows.map((r) => ({ id: r.id.toString(), time: r.time, level: r.level, message: r.message }));
}

export async function updateRun(args: { teamId: string; role: Role; runId: string; name?: string; notes?: string; tags?: string[] }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot edit runs');
  await runOfTeam(args.teamId, args.runId);
  return prisma.run.update({
    where: { id: args.runId },
    data: {
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args.notes !== undefined ? { notes: args.notes } : {}),
      ...(args.tags !== undefined ? { tags: [...new Set(args.tags)] } : {}),
    },
    select: { id: true, name: true, notes: true, tags: true },
  });
}

/** What the compare view needs of each run: pins, configuration, summaries, architecture. */
export async function compareRuns(teamId: string, runIds: string[]) {
  const ids = [...new Set(runIds)];
  const runs = await prisma.run.findMany({
    where: { teamId, id: { in: ids } },
    select: {
      id: true,
      number: true,
      name: true,
      status: true,
      paradigm: true,
      config: true,
      tags: true,
      projectId: true,
      createdBy: { select: { name: true, email: true } },
      architectureVersion: { select: { id: true, version: true, spec: true, totalParams: true, architecture: { select: { id: true, name: true } } } },
      datasetVersion: { select: { version: true, dataset: { select: { id: true, name: true } } } },
      series: { where: { context: { not: 'system' }, key: { not: { startsWith: 'batch/' } } }, select: { key: true, context: true, last: true, min: true, max: true } },
    },
  });
  if (runs.length !== ids.length) throw notFound('Run');
  const byId = new Map(runs.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}

/**
 * The fairness and explainability reports of a run (null when absent): those the worker stored
 * for its final model, or, with `checkpointId`, those computed on demand for that checkpoint.
 */
export async function runReport(teamId: string, runId: string, checkpointId?: string) {
  const run = await runOfTeam(teamId, runId);
  let source: ReportSource = { evaluation: run.evaluation };
  let checkpoint: null | { id: string; epoch: number; kind: string; reports: { status: CheckpointReports['status'] | null } } = null;
  if (checkpointId) {
    const cp = await prisma.checkpoint.findFirst({ where: { id: checkpointId, runId: run.id } });
    if (!cp) throw notFound('Checkpoint');
    const status = parseCheckpointReports(cp.reports).value?.status ?? null;
    checkpoint = { id: cp.id, epoch: cp.epoch, kind: cp.kind, reports: { status } };
    if (status !== 'done') {
      const none: RunGates = { status: null, results: [] };
      return { fairness: null, explain: null, gates: none, checkpoint };
    }
    source = { checkpointReports: cp.reports };
  }
  const loaded = await loadRunReports(source);
  const { gradeRun, listGateRules } = await import('./gates');
  return { fairness: loaded.fairness, explain: loaded.explain, gates: gradeRun(await listGateRules(teamId, { enabledOnly: true }), loaded.gateInput), checkpoint };
}

/** Queues reports for one checkpoint of a finished supervised run (again, if asked twice after a failure). */
export async function requestCheckpointReport(args: { teamId: string; role: Role; runId: string; checkpointId: string }) {
  if (!can.write(args.role)) throw forbidden('Viewers cannot compute reports');
  const run = await runOfTeam(args.teamId, args.runId);
  if (run.paradigm !== 'supervised' || !run.datasetVersionId) throw badRequest('Reports are computed for supervised runs with a dataset');
  if (run.status === 'QUEUED' || run.status === 'RUNNING') throw conflict('Wait for the run to finish before computing reports for its checkpoints');
  const cp = await prisma.checkpoint.findFirst({ where: { id: args.checkpointId, runId: run.id } });
  if (!cp) throw notFound('Checkpoint');
  const current = parseCheckpointReports(cp.reports).value;
  if (current?.status === 'queued' || current?.status === 'running') return { id: cp.id, status: current.status };
  const requestedAt = new Date().toISOString();
  await prisma.$transaction(async (tx) => {
    const queued: CheckpointReports = { schemaVersion: RUN_DOCUMENT_SCHEMA_VERSION, status: 'queued', requestedAt };
    await tx.checkpoint.update({ where: { id: cp.id }, data: { reports: queued } });
    await tx.$executeRaw(enqueueReportSql({ checkpointId: cp.id, requestedAt }));
  });
  return { id: cp.id, status: 'queued' as const };
}
